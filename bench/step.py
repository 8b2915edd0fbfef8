"""Framework overhead per agent-step: LLM agents against an instant scripted server, and the
heuristic policy at 100,000 and 1,000,000 agents.

Run: ``python -m bench.step [--llm 1000 10000] [--heuristic 100000 1000000] [--steps 2]
[--server fixed|scripted]``. The stand-in LLM server runs in its own process, as vLLM would, and
answers one fixed valid action at once: ``fixed`` (default) is :mod:`oasis.testing.fixed_llm`,
about 0.02 ms of CPU per request; ``scripted`` the FastAPI scripted server the tests use, about
0.3 ms. Per agent-step figures divide this process's wall and CPU time per step by the agents
that acted, so they include feeds, observations, prompt building, the HTTP client, parsing and
the database writes; the server's CPU per request is printed beside them, since on a 2-core
machine the wall time also waits on it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.machine import describe, peak_rss_mb
from bench.processes import cpu_seconds, tree
from bench.scripted import ROOT, scripted_server
from oasis.config import ExperimentConfig
from oasis.loop.simulation import Simulation
from oasis.loop.step_runner import StepReport


def config(folder: Path, n: int, probability: float, llm: dict[str, Any]) -> ExperimentConfig:
    return ExperimentConfig.model_validate(
        {
            "name": f"bench_{n}",
            "seed": 1,
            "steps": 100,
            "output": str(folder),
            "population": {
                "source": "synthetic",
                "n_users": n,
                "path": str(ROOT / "oasis/datasets/data/twitter/user_all_id_time.csv"),
            },
            "activation": {"kind": "uniform", "views_per_hour": probability},
            "candidate_window_hours": 3,
            "llm": llm,
        }
    )


Measured = tuple[StepReport, float, float]


def measure(cfg: ExperimentConfig, steps: int) -> list[Measured]:
    """Each step's report, the CPU seconds this process and the servers it started spent."""
    start = time.perf_counter()
    simulation = Simulation.open(cfg)
    print(f"  set-up (population, database, embeddings): {time.perf_counter() - start:.1f} s")
    servers = [p for p in tree(os.getpid()) if p != os.getpid()]
    reports = []
    for _ in range(steps):
        cpu, served = time.process_time(), cpu_seconds(servers)
        report = simulation.step()
        reports.append((report, time.process_time() - cpu, cpu_seconds(servers) - served))
    simulation.close()
    return reports


def show(label: str, reports: list[Measured]) -> None:
    for r, cpu, served in reports:
        per_agent = 1000 * r.seconds / max(r.active, 1)
        cpu_per_agent = 1000 * cpu / max(r.active, 1)
        print(
            f"  {label} step {r.step}: {r.active:,} active, {r.actions:,} actions, "
            f"{r.seconds:.2f} s -> {per_agent:.3f} ms wall, {cpu_per_agent:.3f} ms CPU "
            "per agent-step"
            + (
                f" ({r.llm_requests:,} LLM requests, {r.llm_failures} failed; the server "
                f"{1000 * served / r.llm_requests:.3f} ms CPU per request)"
                if r.llm_requests
                else ""
            )
        )
    print(f"  peak RSS so far: {peak_rss_mb():,.0f} MiB; {load()}")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--llm", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--heuristic", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--server", choices=["fixed", "scripted"], default="fixed")
    options = parser.parse_args()
    print(f"machine: {describe()}; {load()}")
    answer = '{"actions": [{"action": "create_post", "args": {"content": "hello"}}]}'
    with scripted_server(fixed=answer, lean=options.server == "fixed") as base:
        llm = {"endpoints": [base], "model": "scripted"}
        for n in options.llm:
            print(f"{n:,} LLM agents, all active, instant {options.server} server:")
            with tempfile.TemporaryDirectory() as folder:
                show("llm", measure(config(Path(folder), n, 1.0, llm), options.steps))
    for n in options.heuristic:
        print(f"{n:,} heuristic agents, activation 0.1:")
        with tempfile.TemporaryDirectory() as folder:
            show("heuristic", measure(config(Path(folder), n, 0.1, {}), options.steps))


if __name__ == "__main__":
    main()
