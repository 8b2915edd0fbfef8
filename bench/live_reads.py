"""Reads never slow the run: GETs against a live run's API process, and the run's step time.

Run: ``python -m bench.api_load --live [--users 2000] [--requests 5000] [--concurrency 32]``
(or ``python -m bench.live_reads`` with the same options).
A heuristic run steps in this process over a SQLite file (WAL); the API is ``oasis serve`` in a
process of its own over the same file, as ``oasis run --serve`` starts it. The load comes from a
separate client process: ``--concurrency`` HTTP/1.1 keep-alive connections on asyncio streams
(uvloop when installed), each sending its next GET as soon as the last answer is read, so the
client spends little of the CPU it measures. The GETs cycle over the read endpoints; a third of
them name a different user each time (``/users/{u}...``), so they mostly miss the API's response
cache; ``--read-users 10`` has them name 10 users only, as an audience of the same pages would.
Rounds, ``--rounds`` of them on one run (this machine's speed drifts by a third over minutes, so
loaded and quiet steps are taken close together and compared round by round):

1. ``--steps`` steps without load;
2. steps while the client sends ``--requests`` GETs (requests/s, p50/p99 latency).

A last ``--steps`` quiet steps close the last round: each round's loaded steps are compared with
the quiet steps just before and just after them. Then the same GETs with the run idle: what the
API process serves with the cores to itself. Each figure is printed per round, then its median.

The API takes only CPU the run leaves idle (``SCHED_IDLE``, as ``oasis run --serve`` starts it),
and so does the client (real clients run on other machines; here they take what the run leaves).
The machine's load average is printed before and after (the bench shares the cores with
whatever else runs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.machine import describe
from bench.scripted import ROOT
from oasis.api.server import ApiProcess, take_idle_cpu_only
from oasis.config import ExperimentConfig
from oasis.loop.simulation import Simulation

PATHS = (
    "/run", "/steps?limit=20", "/posts/top?limit=20", "/posts/trending", "/users/{u}",
    "/users/{u}/posts", "/users/{u}/followers", "/posts/{p}", "/traces?limit=50",
)  # fmt: skip
CLIENT = "asyncio streams, HTTP/1.1 keep-alive, one connection per concurrent request"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str
) -> tuple[int, str]:
    """One GET on a kept-alive connection: the status and the cache header's value."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
    lines = head.split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    await reader.readexactly(int(fields["content-length"]))
    return int(lines[0].split(" ", 2)[1]), fields.get("x-oasis-cache", "")


async def load(port: int, requests: int, concurrency: int, users: int) -> dict[str, Any]:
    """Send ``requests`` GETs over ``concurrency`` connections; latency percentiles and rate."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    hits = 0
    queue = iter(range(requests))

    async def worker() -> None:
        nonlocal hits
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in queue:
            path = PATHS[i % len(PATHS)].format(u=i % users, p=1 + i % 50)
            started = time.perf_counter()
            status, cache = await get(reader, writer, path)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            hits += cache == "hit"
        writer.close()

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": requests, "statuses": statuses, "rps": requests / wall, "hits": hits,
        "client_cpu_us": 1e6 * (time.process_time() - cpu) / requests,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
    }  # fmt: skip


def run_client(args: argparse.Namespace) -> None:
    """The load process: send the GETs and print the figures as one JSON line."""
    take_idle_cpu_only()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(load(args.client, args.requests, args.concurrency, args.users))))


def experiment(folder: Path, users: int) -> ExperimentConfig:
    return ExperimentConfig.model_validate(
        {
            "name": "api_load", "seed": 1, "steps": 10_000, "output": str(folder),
            "population": {"source": "synthetic", "n_users": users,
                           "path": str(ROOT / "oasis/datasets/data/twitter/user_all_id_time.csv")},
            "activation": {"kind": "uniform", "views_per_hour": 0.2},
        }
    )  # fmt: skip


def steps(simulation: Simulation, count: int) -> list[float]:
    return [simulation.step().seconds for _ in range(count)]


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client_process(port: int, args: argparse.Namespace) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.live_reads", "--client", str(port),
         "--requests", str(args.requests), "--concurrency", str(args.concurrency),
         "--users", str(args.read_users or args.users)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def under_load(
    simulation: Simulation | None, api: ApiProcess, args: argparse.Namespace
) -> tuple[dict[str, Any], list[float]]:
    """Run the client to its end, stepping ``simulation`` meanwhile; its figures, step times."""
    api_cpu = cpu_seconds(api.process.pid)
    client = client_process(api.address[1], args)
    loaded = []
    while client.poll() is None:
        if simulation is None:
            time.sleep(0.05)
        else:
            loaded.append(simulation.step().seconds)
    result = json.loads(client.stdout.read() if client.stdout else "")
    result["api_cpu_us"] = 1e6 * (cpu_seconds(api.process.pid) - api_cpu) / args.requests
    return result, loaded


@dataclass
class Round:
    """One round's figures: the load's, the loaded steps' and the quiet ones' around them."""

    load: dict[str, Any]
    loaded: list[float]
    quiet: list[float] = field(default_factory=list)

    @property
    def slowdown(self) -> float:
        """How much slower the loaded steps were than the quiet ones (medians), as a fraction."""
        return statistics.median(self.loaded) / statistics.median(self.quiet) - 1


def measure(args: argparse.Namespace) -> tuple[list[Round], dict[str, Any], float]:
    """The rounds and the idle load (see the module's docstring) on one run; the run's cores."""
    with tempfile.TemporaryDirectory() as tmp:
        simulation = Simulation.open(experiment(Path(tmp), args.users))
        port = free_port()
        url = simulation.config.database_url
        api = ApiProcess(url, "127.0.0.1", port, None)
        try:
            api.wait_until_serving()
            steps(simulation, 5)  # warm up: posts to read, caches filled
            cpu, wall = time.process_time(), time.perf_counter()
            before = steps(simulation, args.steps)
            cores = (time.process_time() - cpu) / (time.perf_counter() - wall)
            rounds = []
            for _ in range(args.rounds):
                load, loaded = under_load(simulation, api, args)
                after = steps(simulation, args.steps)
                rounds.append(Round(load, loaded, before + after))
                before = after
            idle, _ = under_load(None, api, args)
        finally:
            api.stop()
            simulation.close()
    return rounds, idle, cores


def describe_load(result: dict, concurrency: int) -> str:
    statuses = ", ".join(f"{n} x {s}" for s, n in sorted(result["statuses"].items()))
    return (
        f"{result['requests']} GETs at concurrency {concurrency}: {result['rps']:,.0f} "
        f"requests/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms "
        f"({statuses}; {100 * result['hits'] / result['requests']:.0f}% cache hits); CPU per "
        f"request: API {result['api_cpu_us']:.0f} us, client {result['client_cpu_us']:.0f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=5000, help="GETs in each round")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10, help="quiet steps between rounds")
    parser.add_argument(
        "--read-users", type=int, help="distinct users the GETs name (default: all, a crawl)"
    )
    parser.add_argument("--client", type=int, help=argparse.SUPPRESS)  # the load process: port
    args = parser.parse_args()
    if args.client:
        run_client(args)
        return
    print(describe())
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rounds, idle, cores = measure(args)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"the run alone used {cores:.2f} cores while stepping (its CPU time / wall time)")
    print(f"client: {CLIENT}; API and client on idle CPU only (SCHED_IDLE), the run at nice 0")
    for number, done in enumerate(rounds, 1):
        quiet, loaded = statistics.median(done.quiet), statistics.median(done.loaded)
        print(f"round {number}: {describe_load(done.load, args.concurrency)}")
        print(
            f"  steps ({args.users} heuristic agents, activation 0.2): median {quiet:.3f} s "
            f"quiet ({len(done.quiet)} steps, before and after), {loaded:.3f} s under load "
            f"({len(done.loaded)} steps), {100 * done.slowdown:+.0f}%"
        )
    print(f"idle run: {describe_load(idle, args.concurrency)}")
    median = statistics.median
    print(
        f"median of {len(rounds)} rounds: {median(r.load['rps'] for r in rounds):,.0f} requests/s, "
        f"p50 {median(r.load['p50_ms'] for r in rounds):.1f} ms, "
        f"p99 {median(r.load['p99_ms'] for r in rounds):.1f} ms, "
        f"steps {100 * median(r.slowdown for r in rounds):+.0f}% under load"
    )


if __name__ == "__main__":
    main()
