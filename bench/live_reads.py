"""Reads never slow the run: GETs against a live run's API process, and the run's step time.

Run: ``python -m bench.api_load --live [--users 2000] [--requests 5000] [--concurrency 32]``
(or ``python -m bench.live_reads`` with the same options).
A heuristic run steps in this process over a SQLite file (WAL); the API is ``oasis serve`` in a
process of its own over the same file, as ``oasis run --serve`` starts it. The run first steps
without load, then while a separate client process sends ``--requests`` GETs over the read
endpoints at ``--concurrency``. Printed: requests/s, p50/p99 latency, and the median step time
without and with the load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.machine import describe
from bench.scripted import ROOT
from oasis.api.server import ApiProcess
from oasis.config import ExperimentConfig
from oasis.loop.simulation import Simulation

PATHS = (
    "/run", "/steps?limit=20", "/posts/top?limit=20", "/posts/trending", "/users/{u}",
    "/users/{u}/posts", "/users/{u}/followers", "/posts/{p}", "/traces?limit=50",
)  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def load(base: str, requests: int, concurrency: int, users: int) -> dict[str, float]:
    """Send ``requests`` GETs, ``concurrency`` at a time; latency percentiles and rate."""
    latencies: list[float] = []
    errors = 0
    queue = iter(range(requests))
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            for i in queue:
                path = PATHS[i % len(PATHS)].format(u=i % users, p=1 + i % 50)
                started = time.perf_counter()
                response = await client.get(path)
                latencies.append(time.perf_counter() - started)
                errors += response.status_code >= 500

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": requests, "errors": errors, "rps": requests / wall,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
    }  # fmt: skip


def experiment(folder: Path, users: int) -> ExperimentConfig:
    return ExperimentConfig.model_validate(
        {
            "name": "api_load", "seed": 1, "steps": 10_000, "output": str(folder),
            "population": {"source": "synthetic", "n_users": users,
                           "path": str(ROOT / "oasis/datasets/data/twitter/user_all_id_time.csv")},
            "activation": {"kind": "uniform", "probability": 0.2},
        }
    )  # fmt: skip


def median_step(simulation: Simulation, steps: int) -> float:
    return statistics.median(simulation.step().seconds for _ in range(steps))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--steps", type=int, default=15, help="steps measured without load")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # the load process: base URL
    args = parser.parse_args()
    if args.client:
        result = asyncio.run(load(args.client, args.requests, args.concurrency, args.users))
        print(json.dumps(result))
        return
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        simulation = Simulation.open(experiment(Path(tmp), args.users))
        port = free_port()
        api = ApiProcess(simulation.config.database_url, "127.0.0.1", port, None)
        try:
            api.wait_until_serving()
            for _ in range(5):  # warm up: posts to read, caches filled
                simulation.step()
            quiet = median_step(simulation, args.steps)
            client = subprocess.Popen(
                [sys.executable, "-m", "bench.live_reads", "--client", f"http://127.0.0.1:{port}",
                 "--requests", str(args.requests), "--concurrency", str(args.concurrency),
                 "--users", str(args.users)],
                cwd=ROOT, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            loaded = []
            while client.poll() is None:
                loaded.append(simulation.step().seconds)
            result = json.loads(client.stdout.read() if client.stdout else "{}")
        finally:
            api.stop()
            simulation.close()
    busy = statistics.median(loaded) if loaded else float("nan")
    print(
        f"{result['requests']} GETs at concurrency {args.concurrency}: "
        f"{result['rps']:,.0f} requests/s, p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms, {result['errors']} 5xx"
    )
    print(
        f"step time ({args.users} heuristic agents, activation 0.2): median {quiet:.3f} s "
        f"without load, {busy:.3f} s under load ({len(loaded)} steps), "
        f"{100 * (busy / quiet - 1):+.0f}%"
    )


if __name__ == "__main__":
    main()
