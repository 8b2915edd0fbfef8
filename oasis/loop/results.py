"""The results folder of a run: Parquet tables, per-step metrics, cascade curves, plots, summary."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oasis.agents.chat import LLMStats
from oasis.analysis import (
    activity_per_step,
    cascades_metrics,
    herd_effect,
    polarization_by_round,
    stances,
    write_report,
)
from oasis.analysis.report import markdown_table
from oasis.core.clock import Clock
from oasis.platform import Platform


def write_results(
    platform: Platform,
    clock: Clock,
    folder: Path,
    title: str,
    herd: pd.DataFrame | None = None,
) -> list[Path]:
    """Export traces and posts as Parquet, metrics as JSON, and the analysis report.

    ``herd`` is the herd experiment's first comments with their groups, when there is one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with platform.reader() as reader:
        trace, posts, metrics = reader.results_tables()
    trace.astype({"args": str, "result": str}).to_parquet(folder / "traces.parquet")
    posts.to_parquet(folder / "posts.parquet")
    records = metrics.sort_values("step").to_dict("records")
    (folder / "metrics.json").write_text(json.dumps(records, indent=1, default=str))
    written = [folder / "traces.parquet", folder / "posts.parquet", folder / "metrics.json"]
    posts = posts.assign(minute=(posts["created_at"] - clock.seconds(0)) / 60.0)
    # Every cascade is measured at the end of every step, so its curve runs to the end of the
    # run (flat after its last repost) and curves of different roots line up.
    steps = np.sort((metrics["sim_time"].to_numpy(np.float64) - clock.seconds(0)) / 60.0)
    report = write_report(
        folder,
        notes=[*_lineage(platform), *_usage(records)],
        cascades=cascades_metrics(posts, time_column="minute", times=steps) if len(posts) else None,
        activity=activity_per_step(trace) if len(trace) else None,
        polarization=_polarization(trace),
        herd=herd_effect(herd) if herd is not None else None,
        title=title,
    )
    return written + report


def _polarization(trace: pd.DataFrame) -> pd.DataFrame | None:
    """Stances of interview answers per interview round (the step it was asked at)."""
    asked = trace[(trace["action"] == "interview") & trace["ok"]] if len(trace) else trace
    answers = [
        {"agent_id": row.user_id, "round": row.step, "answer": row.args.get("response", "")}
        for row in asked.itertuples()
        if row.args.get("response")
    ]
    if not answers:
        return None
    return polarization_by_round(stances(pd.DataFrame(answers)))


def _lineage(platform: Platform) -> list[str]:
    """A line naming the parent when the run is a fork."""
    info = platform.run_info()
    lineage = None if info is None else info.config.get("fork")
    if not lineage:
        return []
    return [f"Forked from `{lineage['parent']}` after step {lineage['at_step']}.\n"]


def _usage(steps: list[dict[str, Any]]) -> list[str]:
    """The run's LLM usage in total, when any agent asked an LLM or its cache."""
    stats = LLMStats.total(m["metrics"] for m in steps)
    asked = stats.requests + stats.cache_hits
    if not asked:
        return []
    per_request = (stats.prompt_tokens + stats.completion_tokens) / max(stats.requests, 1)
    table = pd.DataFrame([asdict(stats) | {"tokens_per_request": round(per_request, 1)}])
    return ["## LLM usage\n", markdown_table(table), ""]
