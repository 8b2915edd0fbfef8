"""Time and memory to build N synthetic users with their follow graph, then load them into
SQLite and PostgreSQL through the platform's bulk loader.

    python -m bench.generate --users 1000000 --follows 10 --db sqlite --db postgres

(from the repository root, or as ``python bench/generate.py`` with the project installed).

PostgreSQL gets a fresh database (dropped afterwards) on the server of --pg-admin-url.
Memory figures are the process's peak resident set (VmHWM) during each phase, reset between
phases; the follow graph (sorting its pairs) dominates generation.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.machine import describe
from oasis.datasets import generate_population, load_reddit_users, load_twitter_users
from oasis.datasets.settings import BUILTIN_DATA


def _status(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def phase(name: str) -> Iterator[None]:
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS (VmHWM) for this phase
    start_rss, start = _status("VmRSS"), time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    peak = _status("VmHWM")
    print(f"{name:<36} {seconds:7.1f} s   peak RSS {peak:6.0f} MiB (before: {start_rss:.0f} MiB)")


def data_dir() -> Path:
    return Path(os.environ.get("OASIS_DATA_DIR", BUILTIN_DATA))


def load_into(url: str, population: Any) -> int:
    from oasis.platform import Platform

    db = Platform.open(url)
    try:
        return db.load_population(population.users, population.follows)
    finally:
        db.close()


@contextmanager
def fresh_pg_database(admin_url: str) -> Iterator[str]:
    import psycopg

    name = f"oasis_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        host = admin_url.split("://", 1)[1].rsplit("/", 1)[0]
        yield f"postgresql+psycopg://{host}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--follows", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"], default=[])
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1/test")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    print(f"users: {args.users:,}, follows per user: {args.follows}, seed: {args.seed}")
    seeds = data_dir()
    with phase("load seeds"):
        core = load_twitter_users(seeds / "twitter" / "user_all_id_time.csv")
        interests = load_reddit_users(seeds / "reddit" / "user_data_36.json")
    with phase("generate population + follow graph"):
        population = generate_population(
            args.users, args.seed, core, args.follows, interest_profiles=interests
        )
    users_mib = population.users.memory_usage(deep=True).sum() / 2**20
    arrays_mib = (
        population.follows.nbytes
        + (population.activity.nbytes if population.activity is not None else 0)
    ) / 2**20
    print(f"  {population.size:,} users, {len(population.follows):,} follows")
    print(f"  users frame {users_mib:.0f} MiB, follows + activity arrays {arrays_mib:.0f} MiB")
    loaders: dict[str, Callable[[], None]] = {
        "sqlite": lambda: _sqlite(population),
        "postgres": lambda: _postgres(population, args.pg_admin_url),
    }
    for db in args.db:
        loaders[db]()


def _sqlite(population: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        with phase("load into SQLite (file)"):
            edges = load_into(f"sqlite:///{path}", population)
        print(f"  {edges:,} follow rows; database file {path.stat().st_size / 2**20:.0f} MiB")


def _postgres(population: Any, admin_url: str) -> None:
    with fresh_pg_database(admin_url) as url, phase("load into PostgreSQL"):
        edges = load_into(url, population)
    print(f"  {edges:,} follow rows")


if __name__ == "__main__":
    main()
