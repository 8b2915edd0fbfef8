"""The million-agent example end to end: where each step's time goes, and whether it grows.

Run: ``python -m bench.million [--users 100000 1000000] [--steps 24]
[--backend sqlite postgresql] [--shards 0 2]``.

Each combination runs ``examples/million_agents.yaml`` as shipped (heuristic agents; the
environment's ``OASIS_LLM_*`` are not applied) with ``population.n_users`` set to ``--users``,
``steps`` to ``--steps`` and ``ray.shards`` to ``--shards`` (0: in-process, no Ray), into a
fresh database: a SQLite file, or on PostgreSQL the database ``OASIS_DATABASE_URL`` names (it
must hold no run) or else a fresh database on ``--pg-admin-url``'s server, dropped afterwards.

It prints the machine and its load, set-up seconds by phase (population with its follow graph,
workers, agents, recsys, database; the graph alone timed again after the run), each step's wall
seconds, active agents and seconds per phase, a per-phase table (mean, share of the step, max),
the growth ratio (seconds per active agent, the mean of the last 6 steps over the first 6, for
the whole step and per phase), the peak memory of every process of the run (the main process,
Ray's and the shards) and of all of them together, and the load average at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from bench.generate import fresh_pg_database
from bench.machine import describe
from bench.processes import TreePeaks, TreeSampler
from bench.scripted import ROOT
from oasis.analysis.step_time import phase_table
from oasis.config import ExperimentConfig, load_config
from oasis.loop.simulation import Simulation
from oasis.loop.step_runner import StepReport

EXAMPLE = ROOT / "examples" / "million_agents.yaml"
GROWTH_STEPS = 6


def experiment(folder: Path, users: int, steps: int, shards: int, url: str) -> ExperimentConfig:
    """The example's config scaled to ``users``, run for ``steps`` on ``shards`` into ``url``."""
    ray = {"mode": "local", "shards": shards} if shards else {"mode": "none"}
    overrides = {
        "population": {"n_users": users},
        "steps": steps,
        "output": str(folder / "results"),
        "database": url,
        "ray": ray,
    }
    return load_config(EXAMPLE, environ={}, overrides=overrides)


@contextlib.contextmanager
def database(backend: str, folder: Path, admin_url: str) -> Iterator[str]:
    """A database URL for one run: a SQLite file, ``OASIS_DATABASE_URL``, or a fresh one."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'million.db'}"
    elif url := os.environ.get("OASIS_DATABASE_URL"):
        yield url
    else:
        with fresh_pg_database(admin_url) as url:
            yield url


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def run(config: ExperimentConfig) -> tuple[dict[str, float], list[StepReport], TreePeaks]:
    """Set up and run the experiment; set-up phases, step reports, memory peaks."""
    with TreeSampler() as sampler:
        started = time.perf_counter()
        simulation = Simulation.open(config)
        setup = simulation.setup_phases | {"total": time.perf_counter() - started}
        print(f"  set-up {setup['total']:.1f} s: " + _seconds(simulation.setup_phases))
        reports: list[StepReport] = []
        try:
            simulation.run(lambda report: (reports.append(report), _show(report)))
        finally:
            simulation.close()
    return setup, reports, sampler.peaks


def _seconds(phases: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in phases.items())


def _show(report: StepReport) -> None:
    per_agent = 1000 * report.seconds / max(report.active, 1)
    print(
        f"  step {report.step:>2}: {report.seconds:7.2f} s, {report.active:>8,} active, "
        f"{report.actions:>8,} actions, {per_agent:.3f} ms per active agent | "
        + _seconds({k: v for k, v in report.phases.items() if v >= 0.005}),
        flush=True,
    )


def graph_seconds(config: ExperimentConfig) -> float:
    """The follow graph alone, generated again as the population does (seconds)."""
    from oasis.core.rng import seeded
    from oasis.datasets.synthetic import follow_graph
    from oasis.datasets.twitter import load_twitter_users

    pop = config.population
    seed = load_twitter_users(pop.path)
    core = seed.size if pop.core_size is None else pop.core_size
    inside = seed.follows[(seed.follows < core).all(axis=1)]
    started = time.perf_counter()
    follow_graph(pop.n_users, pop.follows_per_user, core, inside, seeded(config.seed))
    return time.perf_counter() - started


def growth(reports: list[StepReport]) -> pd.Series:
    """Seconds per active agent, mean of the last steps over the first: the step, each phase."""
    frame = pd.DataFrame([r.phases for r in reports]).fillna(0.0)
    frame["step"] = [r.seconds for r in reports]
    per_agent = frame.div([max(r.active, 1) for r in reports], axis=0)
    span = min(GROWTH_STEPS, len(reports) // 2) or 1
    first, last = per_agent.iloc[:span].mean(), per_agent.iloc[-span:].mean()
    return (last / first.where(first > 0)).dropna()


def report(setup: dict[str, float], reports: list[StepReport], peaks: TreePeaks) -> None:
    """The run's tables: phases, growth, memory."""
    seconds = pd.DataFrame([r.phases for r in reports], index=[r.step for r in reports])
    total = sum(r.seconds for r in reports)
    print(f"  steps: {total:.1f} s in all; set-up {setup['total']:.1f} s")
    table = phase_table(seconds).round({"mean_s": 3, "share_percent": 1, "max_s": 3})
    print("  per phase:\n" + _indent(table.to_string(index=False)))
    ratios = growth(reports)
    span = min(GROWTH_STEPS, len(reports) // 2) or 1
    actives = [r.active for r in reports]
    print(
        f"  growth (seconds per active agent, mean of the last {span} steps over the first "
        f"{span}; active {sum(actives[:span]) // span:,} and {sum(actives[-span:]) // span:,} "
        f"on average): step {ratios.get('step', float('nan')):.2f}x; "
        + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items() if k != "step")
    )
    print(
        f"  peak memory, all {len(peaks.processes)} processes of the run together: "
        f"RSS {peaks.total_rss_kib / 2**20:.2f} GiB, PSS {peaks.total_pss_kib / 2**20:.2f} GiB "
        f"({peaks.samples} samples); each process's own peak RSS:"
    )
    for peak in sorted(peaks.processes.values(), key=lambda p: -p.peak_kib):
        if peak.peak_kib >= 20 * 1024:
            print(f"    {peak.peak_kib / 1024:8,.0f} MiB  pid {peak.pid}  {peak.name}")


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument(
        "--backend", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"]
    )
    parser.add_argument("--shards", type=int, nargs="+", default=[2])
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1/test")
    options = parser.parse_args()
    print(f"machine: {describe()}; {load()}")
    for users in options.users:
        for backend in options.backend:
            for shards in options.shards:
                print(f"{users:,} users, {options.steps} steps, {backend}, {shards} shards:")
                with (
                    tempfile.TemporaryDirectory() as folder,
                    database(backend, Path(folder), options.pg_admin_url) as url,
                ):
                    config = experiment(Path(folder), users, options.steps, shards, url)
                    setup, reports, peaks = run(config)
                    report(setup, reports, peaks)
                    print(f"  follow graph alone: {graph_seconds(config):.1f} s; {load()}")


if __name__ == "__main__":
    main()
