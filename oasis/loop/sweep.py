"""Sweeps: the cross product of settings and seeds over one experiment, run as Ray tasks.

Each run is an ordinary run in a folder of its own (``<output>/<setting>/seed-<n>``, SQLite
there), so any of them can be opened, served or forked like any other. Runs go to Ray as tasks,
at most ``max_concurrent`` at a time, spread over the nodes of a cluster when there are several.
A run that finishes writes ``done.json`` with its metrics last, so a sweep started again skips
the finished runs, resumes the ones that were cut off from their last committed step, and starts
the rest. The combined table has one row per run (``runs.csv``); ``summary.csv`` and
``sweep.png`` show each chosen metric per setting with its spread over the seeds.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from oasis.agents.llm.chat import LLMStats
from oasis.agents.shards.ray_runtime import ensure_ray
from oasis.analysis.plots import plot_sweep
from oasis.analysis.sweep import sweep_summary
from oasis.config import ExperimentConfig, with_settings
from oasis.errors import OasisError
from oasis.loop.opening import RUN_FILE
from oasis.loop.results import write_run
from oasis.loop.settings import SweepSettings
from oasis.loop.simulation import Simulation
from oasis.platform import Platform
from oasis.platform.schema import StepMetrics, Trace

DONE_FILE = "done.json"


class SweepError(OasisError, ValueError):
    """A sweep that cannot run as asked, or one of its runs failed."""


@dataclass(frozen=True, slots=True)
class SweepPoint:
    """One run of a sweep: its setting (dotted key -> value), its seed and its full config."""

    setting: dict[str, Any]
    seed: int
    config: ExperimentConfig

    @property
    def done(self) -> Path:
        """The file a finished run leaves in its folder."""
        return self.config.output / DONE_FILE


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What a sweep did: the combined tables, the files written, the runs it skipped."""

    runs: pd.DataFrame
    summary: pd.DataFrame
    files: list[Path]
    skipped: int


def sweep_folder(base: ExperimentConfig, sweep: SweepSettings) -> Path:
    """Where the sweep's runs and combined table go."""
    return sweep.output or base.output / "sweep"


def sweep_points(base: ExperimentConfig, sweep: SweepSettings) -> list[SweepPoint]:
    """Every (setting, seed) of the sweep with its config, in a fixed order."""
    if base.database is not None:
        raise SweepError("each sweep run keeps its own SQLite database: leave `database` unset")
    fixed = with_settings(base, sweep.fixed)
    keys = sorted(sweep.grid)
    points = []
    for values in itertools.product(*(sweep.grid[k] for k in keys)):
        setting = dict(zip(keys, values, strict=True))
        label = setting_label(setting)
        for seed in sweep.seeds:
            folder = sweep_folder(base, sweep) / label / f"seed-{seed}"
            name = f"{base.name}-{label}-seed-{seed}"
            changes = {**setting, "seed": seed, "output": str(folder), "name": name}
            points.append(SweepPoint(setting, seed, with_settings(fixed, changes)))
    return points


def setting_label(setting: dict[str, Any]) -> str:
    """A folder name for a setting: ``recsys.kind=random,activation.views_per_hour=0.3``."""
    text = ",".join(f"{key}={value}" for key, value in setting.items()) or "base"
    return re.sub(r"[^A-Za-z0-9._=,+-]", "_", text)


def run_sweep(
    base: ExperimentConfig,
    sweep: SweepSettings,
    on_done: Callable[[dict[str, Any]], None] | None = None,
) -> SweepResult:
    """Run the runs not finished yet as Ray tasks, then write the combined table and plot.

    ``on_done`` is called in this process with each run's record as it finishes.

    Raises:
        SweepError: a run failed (the finished ones are kept; running the sweep again goes on).
    """
    points = sweep_points(base, sweep)
    finished = [p for p in points if p.done.exists()]
    records = [json.loads(p.done.read_text()) for p in finished]
    todo = [p for p in points if not p.done.exists()]
    if todo:
        records += _run_on_ray(todo, sweep, on_done)
    return _combine(records, sweep, sweep_folder(base, sweep), len(finished))


def run_point(raw_config: dict[str, Any], setting: dict[str, Any], seed: int) -> dict[str, Any]:
    """Run (or resume) one sweep run to its end; the body of a sweep's Ray task.

    Returns the run's record (setting, seed, metrics, Ray node, wall-clock start and end), also
    written to ``done.json``.
    """
    config, started_at = ExperimentConfig.model_validate(raw_config), time.time()
    simulation = Simulation.open(config, resume=(config.output / RUN_FILE).exists())
    try:
        simulation.run()
        write_run(simulation)
        measured = run_metrics(simulation.platform)
    finally:
        simulation.close()
    record = {
        **setting,
        "seed": seed,
        **measured,
        "folder": str(config.output),
        "node": _node(),
        "started_at": started_at,
        "finished_at": time.time(),
    }
    partial = config.output / f"{DONE_FILE}.part"
    partial.write_text(json.dumps(record, indent=1))
    partial.replace(config.output / DONE_FILE)  # whole or absent, even if killed here
    return record


def run_metrics(platform: Platform) -> dict[str, float]:
    """A run's figures: successful actions by type, all actions, active agents, LLM usage."""
    with platform.reader() as reader:
        trace = reader.table(Trace)
        steps = reader.table(StepMetrics)
    counts = trace.loc[trace["ok"], "action"].value_counts() if len(trace) else pd.Series()
    usage = asdict(LLMStats.total(steps["metrics"]))
    active = sum(int(m.get("active", 0)) for m in steps["metrics"])
    return {
        **usage,
        **{str(k): int(v) for k, v in counts.items()},
        "actions": len(trace),
        "active": active,
    }


def _run_on_ray(
    todo: Sequence[SweepPoint],
    sweep: SweepSettings,
    on_done: Callable[[dict[str, Any]], None] | None,
) -> list[dict[str, Any]]:
    """Run ``todo`` as Ray tasks, ``max_concurrent`` at a time; records in finishing order."""
    import ray

    ensure_ray(sweep.ray)
    task = ray.remote(run_point).options(
        num_cpus=sweep.cpus_per_run,
        max_retries=0,
        scheduling_strategy="SPREAD" if sweep.spread else "DEFAULT",
    )
    queue = list(todo)
    pending: dict[Any, SweepPoint] = {}
    records: list[dict[str, Any]] = []
    while queue or pending:
        while queue and len(pending) < sweep.max_concurrent:
            point = queue.pop(0)
            raw = point.config.model_dump(mode="json")
            pending[task.remote(raw, point.setting, point.seed)] = point
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            point = pending.pop(ref)
            try:
                record = ray.get(ref)
            except ray.exceptions.RayError as exc:
                raise SweepError(f"run {point.config.output} failed: {exc}") from exc
            records.append(record)
            if on_done is not None:
                on_done(record)
    return records


def _combine(
    records: list[dict[str, Any]], sweep: SweepSettings, folder: Path, skipped: int
) -> SweepResult:
    """Write ``runs.csv``, ``summary.csv`` and ``sweep.png`` into the sweep's folder."""
    settings = sorted(sweep.grid)
    runs = pd.DataFrame(records).sort_values([*settings, "seed"], ignore_index=True)
    for metric in sweep.metrics:
        runs[metric] = runs[metric].fillna(0) if metric in runs else 0
    summary = sweep_summary(runs, settings, sweep.metrics)
    folder.mkdir(parents=True, exist_ok=True)
    runs.to_csv(folder / "runs.csv", index=False)
    summary.to_csv(folder / "summary.csv", index=False)
    plot = plot_sweep(runs, settings, sweep.metrics, folder / "sweep.png")
    return SweepResult(runs, summary, [folder / "runs.csv", folder / "summary.csv", plot], skipped)


def _node() -> str:
    """The Ray node this process runs on ("" outside Ray)."""
    import ray

    return str(ray.get_runtime_context().get_node_id()) if ray.is_initialized() else ""
