"""Platform throughput: 200,000 mixed actions as 20 steps of 10,000, batched vs one commit each.

Run: ``python -m bench.platform_apply [--pg URL] [--steps 20] [--per-step 10000]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.machine import describe
from oasis.core.actions import Action, ActionType
from oasis.platform import Platform

USERS = 20_000
MIX = {  # share of each action kind in the workload
    ActionType.CREATE_POST: 0.30,
    ActionType.LIKE_POST: 0.35,
    ActionType.FOLLOW: 0.15,
    ActionType.CREATE_COMMENT: 0.15,
    ActionType.REPOST: 0.05,
}


def workload(steps: int, per_step: int, seed: int = 0) -> list[list[Action]]:
    """Mixed actions; likes, comments and reposts target posts of earlier steps."""
    rng = np.random.default_rng(seed)
    kinds, shares = list(MIX), np.array(list(MIX.values()))
    batches, posts = [], 0
    for _ in range(steps):
        picks = rng.choice(len(kinds), size=per_step, p=shares / shares.sum())
        agents = rng.integers(0, USERS, size=per_step)
        targets = rng.integers(1, max(posts, 1) + 1, size=per_step)
        others = rng.integers(0, USERS, size=per_step)
        batch = []
        for kind_index, agent, target, other in zip(picks, agents, targets, others, strict=True):
            kind = kinds[kind_index]
            if posts == 0 and kind not in (ActionType.CREATE_POST, ActionType.FOLLOW):
                kind = ActionType.CREATE_POST
            batch.append(Action(int(agent), kind, args(kind, int(target), int(other))))
        posts += sum(1 for a in batch if a.type in (ActionType.CREATE_POST, ActionType.REPOST))
        batches.append(batch)
    return batches


def args(kind: ActionType, post: int, other: int) -> dict[str, object]:
    if kind is ActionType.CREATE_POST:
        return {"content": f"post about topic {post % 97}"}
    if kind is ActionType.FOLLOW:
        return {"followee_id": other}
    if kind is ActionType.CREATE_COMMENT:
        return {"post_id": post, "content": "I agree"}
    return {"post_id": post}


def fresh(url: str) -> Platform:
    platform = Platform.open(url)
    ids = np.arange(USERS)
    users = pd.DataFrame(
        {"user_id": ids, "user_name": [f"u{i}" for i in ids], "name": "n", "bio": ""}
    )
    platform.load_population(users, np.empty((0, 2), np.int64))
    return platform


def batched(url: str, batches: list[list[Action]]) -> tuple[float, int]:
    platform = fresh(url)
    start = time.perf_counter()
    failed = 0
    for step, batch in enumerate(batches, start=1):
        failed += sum(1 for r in platform.apply(step, batch) if not r.ok)
    elapsed = time.perf_counter() - start
    assert platform.counter_mismatches() == []
    platform.close()
    return sum(map(len, batches)) / elapsed, failed


def one_per_commit(url: str, batches: list[list[Action]], limit: int) -> float:
    platform = fresh(url)
    actions = [a for batch in batches for a in batch][:limit]
    start = time.perf_counter()
    for step, action in enumerate(actions, start=1):
        platform.apply(step, [action])
    elapsed = time.perf_counter() - start
    platform.close()
    return len(actions) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--per-step", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=3_000, help="actions for the naive baseline")
    options = parser.parse_args()
    batches = workload(options.steps, options.per_step)
    total = sum(map(len, batches))
    print(f"machine: {describe()}")
    print(f"workload: {total:,} actions as {options.steps} steps of {options.per_step:,}")
    with tempfile.TemporaryDirectory() as folder:
        targets = {"sqlite": f"sqlite:///{Path(folder) / 'bench.db'}", "postgresql": options.pg}
        for name, url in targets.items():
            if name == "postgresql":
                url = with_schema(url)
            rate, failed = batched(url, batches)
            print(f"{name:>10} batched:        {rate:>10,.0f} actions/s ({failed:,} failed)")
            naive_url = (
                url.replace("bench.db", "naive.db") if name == "sqlite" else with_schema(options.pg)
            )
            naive = one_per_commit(naive_url, batches, options.naive)
            print(
                f"{name:>10} one per commit: {naive:>10,.0f} actions/s ({options.naive:,} actions)"
            )
            print(f"{name:>10} speed-up:       {rate / naive:>10.1f}x")


def with_schema(url: str) -> str:
    """A fresh schema on the PostgreSQL server, so benchmark runs never collide."""
    import psycopg

    schema = f"bench_{int(time.time() * 1000)}"
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{url}?options=-csearch_path%3D{schema}"


if __name__ == "__main__":
    main()
