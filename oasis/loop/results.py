"""The results folder of a run: Parquet tables, per-step metrics, cascade curves, plots, summary."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from oasis.agents.llm.chat import LLMStats
from oasis.analysis import (
    activity_per_step,
    cascades_metrics,
    write_report,
)
from oasis.analysis.cascade import Level
from oasis.analysis.cascade_facts import cascade_facts
from oasis.analysis.comparison import (
    ALIGNMENT,
    METRICS,
    against_others,
    final_comparison,
    load_real_curves,
    nrmse,
)
from oasis.analysis.herd import herd_intervals, herd_tests
from oasis.analysis.report import Report, markdown_table
from oasis.analysis.stance import stance_by_step, trajectories
from oasis.analysis.step_time import phase_seconds, phase_table
from oasis.core.clock import Clock
from oasis.datasets.settings import PopulationSettings
from oasis.datasets.twitter import load_topic, load_topics
from oasis.errors import OasisError
from oasis.loop.provenance import provenance
from oasis.platform import Platform
from oasis.platform.schema import StepMetrics

if TYPE_CHECKING:  # a simulation writes its results through this module
    from oasis.loop.simulation import Simulation


def write_run(simulation: Simulation) -> list[Path]:
    """Write a run's results folder, as ``oasis run`` writes it; every file written.

    Traces and posts as Parquet and per-step metrics as JSON; every cascade's curve (``user``
    trees on X, ``post`` ones on Reddit), and on X the facts and trees of the cascades that
    reached ``analysis.cascade_min_users`` users (``cascade_facts.csv``,
    ``cascade_trees.parquet``); a topic's real figures beside its source's cascade
    (``comparison.csv/json``); stance and herd measures; plots; and ``summary.md`` with the
    models behind the run (:mod:`oasis.loop.provenance`) and the seed's repairs.
    """
    config, platform, clock = simulation.config, simulation.platform, simulation.clock
    folder = config.output
    folder.mkdir(parents=True, exist_ok=True)
    with platform.reader() as reader:
        trace, posts, metrics = reader.results_tables()
        figures = reader.step_figures()
    records, written = _export_tables(folder, trace, posts, metrics)
    posts = posts.assign(minute=(posts["created_at"] - clock.seconds(0)) / 60.0)
    level: Level = "post" if config.platform.kind == "reddit" else "user"
    min_users = config.analysis.cascade_min_users
    cascades = _cascades(folder, posts, metrics, clock, level, min_users, written)
    topic = topic_reference(config.population)
    comparison, against = _comparison(folder, posts, cascades, topic, written)
    herd, groups = simulation.herd_table(), simulation.cast.group_names()
    report = Report(
        title=config.name,
        notes=[*_lineage(platform), *_usage(records), *_step_time(records), *_by_actor(trace)],
        cascades=cascades,
        activity=activity_per_step(trace) if len(trace) else None,
        **_opinion_report(platform, folder, trace, len(metrics), herd, groups, written),
        reference=None if topic is None else {"scale": topic.num_users, "depth": topic.max_depth},
        comparison=comparison,
        against_others=against,
        failures=failures_table(trace) if len(trace) else None,
        provenance=provenance(config, simulation.roster, figures),
        repairs=[repair.describe() for repair in simulation.repairs],
    )
    return written + write_report(folder, report)


@dataclass(frozen=True, slots=True)
class TopicReference:
    """A Twitter15/16 topic's real cascade figures and its source tweet (who, what)."""

    topic: str
    num_users: int
    max_depth: int
    root_agent: int
    source_tweet: str


@dataclass(frozen=True, slots=True)
class TopicFigures:
    """A Twitter15/16 topic's real cascade figures (its row of ``all_topics.csv``)."""

    topic: str
    num_users: int
    max_depth: int


def topic_figures(population: PopulationSettings) -> TopicFigures | None:
    """The real figures of a topic population (``all_topics.csv``); None for other sources."""
    if population.source != "topic" or population.topic is None:
        return None
    row = load_topics(population.topics_path).loc[population.topic]
    return TopicFigures(population.topic, int(row["num_users"]), int(row["max_depth"]))


def topic_reference(population: PopulationSettings) -> TopicReference | None:
    """:func:`topic_figures` with the topic's source tweet (who posted it, what it says)."""
    figures = topic_figures(population)
    if figures is None:
        return None
    source = load_topic(population.topics_path, population.path, figures.topic).posts[0]
    return TopicReference(
        figures.topic, figures.num_users, figures.max_depth, source.author_id, source.content
    )


def prepare_output(folder: Path) -> None:
    """Create the results folder and check that files can be written in it.

    Raises:
        OasisError: ``folder`` is a file, or cannot be created or written (the message names the
            ``output`` key and the folder).
    """
    if folder.exists() and not folder.is_dir():
        raise OasisError(f"output: {folder} is a file, not a folder")
    probe = folder / ".oasis-write-check"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OasisError(f"output: cannot write in {folder} ({reason})") from exc


def _cascades(
    folder: Path,
    posts: pd.DataFrame,
    metrics: pd.DataFrame,
    clock: Clock,
    level: Level,
    min_users: int,
    written: list[Path],
) -> pd.DataFrame | None:
    """Every cascade's curve; in user-level runs, the large cascades' facts and trees too."""
    if level == "user":
        written += write_cascade_facts(folder, posts, min_users)
    # Every cascade is measured at the end of every step, so its curve runs to the end of the
    # run (flat after its last repost) and curves of different roots line up.
    steps = np.sort((metrics["sim_time"].to_numpy(np.float64) - clock.seconds(0)) / 60.0)
    return cascades_metrics(posts, None, "minute", steps, level) if len(posts) else None


def write_cascade_facts(folder: Path, posts: pd.DataFrame, min_users: int) -> list[Path]:
    """``cascade_facts.csv`` and ``cascade_trees.parquet``: the cascades of ``min_users``."""
    facts, trees = cascade_facts(posts, min_users)
    facts.to_csv(folder / "cascade_facts.csv", index=False)
    trees.to_parquet(folder / "cascade_trees.parquet")
    return [folder / "cascade_facts.csv", folder / "cascade_trees.parquet"]


def _export_tables(
    folder: Path, trace: pd.DataFrame, posts: pd.DataFrame, metrics: pd.DataFrame
) -> tuple[list[dict[str, Any]], list[Path]]:
    """Traces and posts as Parquet, per-step metrics as JSON; the metrics records and paths."""
    trace.astype({"args": str, "result": str}).to_parquet(folder / "traces.parquet")
    posts.to_parquet(folder / "posts.parquet")
    records = metrics.sort_values("step").to_dict("records")
    (folder / "metrics.json").write_text(json.dumps(records, indent=1, default=str))
    return records, [folder / "traces.parquet", folder / "posts.parquet", folder / "metrics.json"]


def _comparison(
    folder: Path,
    posts: pd.DataFrame,
    cascades: pd.DataFrame | None,
    topic: TopicReference | None,
    written: list[Path],
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The topic's real figures, and the source against the other posts, written.

    Both are added to ``written``; None when the run is not a topic run or has no cascade.
    """
    if topic is None or cascades is None:
        return None, None
    comparison, root = _compare_topic(posts, cascades, topic)
    originals = posts.loc[posts["original_post_id"].isna(), "post_id"].to_numpy()
    against = against_others(cascades, root, originals)
    written += _write_comparison(folder, comparison, topic, root, against)
    return comparison, against


def source_root(posts: pd.DataFrame, topic: TopicReference) -> int | None:
    """The post id of the topic's source tweet: its root user's first post of that text."""
    text = topic.source_tweet.strip()[:50]
    mine = posts[(posts["user_id"] == topic.root_agent) & posts["original_post_id"].isna()]
    found = mine[mine["content"].astype(str).str.startswith(text)]
    return int(found["post_id"].min()) if len(found) else None


def _compare_topic(
    posts: pd.DataFrame, cascades: pd.DataFrame, topic: TopicReference
) -> tuple[pd.DataFrame, int | None]:
    root = source_root(posts, topic)
    curve = cascades[cascades["root_post_id"] == root]
    final = curve.iloc[-1] if len(curve) else pd.Series(dict.fromkeys(METRICS, 0))
    real = {"num_users": topic.num_users, "max_depth": topic.max_depth}
    return final_comparison({m: float(final[m]) for m in METRICS}, real), root


def _write_comparison(
    folder: Path,
    comparison: pd.DataFrame,
    topic: TopicReference,
    root: int | None,
    against: pd.DataFrame,
) -> list[Path]:
    table = folder / "comparison.csv"
    comparison.to_csv(table, index=False)
    record = {
        "topic": topic.topic,
        "root_post_id": root,
        "real": {"num_users": topic.num_users, "max_depth": topic.max_depth},
        "metrics": json.loads(comparison.to_json(orient="records")),
        "against_others": json.loads(against.to_json(orient="records")),
    }
    summary = folder / "comparison.json"
    summary.write_text(json.dumps(record, indent=1))
    return [table, summary]


def _opinion_report(
    platform: Platform,
    folder: Path,
    trace: pd.DataFrame,
    steps: int,
    herd: pd.DataFrame | None,
    groups: Mapping[int, str] | None,
    written: list[Path],
) -> dict[str, Any]:
    """The report's stance measures (per seed group), herd intervals and tests."""
    with platform.reader() as reader:
        rows = reader.stance_table()
    if herd is not None:  # each thread's first comment, for the tests over seeds
        herd.to_csv(folder / "herd_threads.csv", index=False)
        written.append(folder / "herd_threads.csv")
    return {
        "stance": _stances(folder, rows, trace, steps, groups, written),
        "herd_intervals": None if herd is None else herd_intervals(herd),
        "herd_tests": None if herd is None else herd_tests(herd),
    }


def _stances(
    folder: Path,
    rows: pd.DataFrame,
    trace: pd.DataFrame,
    steps: int,
    groups: Mapping[int, str] | None,
    written: list[Path],
) -> pd.DataFrame | None:
    """Stance measures per step and group (None without stances or scored answers).

    With stances stored, ``opinions.parquet`` (added to ``written``) holds every agent's stance
    at every step; without, the measures come from scored interview answers, per interview step.
    """
    if len(rows):
        paths = trajectories(rows, steps, groups)
        paths.to_parquet(folder / "opinions.parquet")
        written.append(folder / "opinions.parquet")
        return stance_by_step(paths)
    answered = _interview_stances(trace, groups)
    return stance_by_step(answered) if answered is not None else None


def _interview_stances(
    trace: pd.DataFrame, groups: Mapping[int, str] | None
) -> pd.DataFrame | None:
    """The scored stances of interview answers, per interview step (``step``, agent, group)."""
    asked = trace[(trace["action"] == "interview") & trace["ok"]] if len(trace) else trace
    named = groups or {}
    rows = [
        {"step": row.step, "agent_id": row.user_id, "group": named.get(row.user_id, ""),
         "stance": float(row.args["stance"])}
        for row in asked.itertuples()
        if "stance" in row.args
    ]  # fmt: skip
    return pd.DataFrame(rows) if rows else None


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


def _step_time(steps: list[dict[str, Any]]) -> list[str]:
    """Where the steps' wall time went, per phase, when the steps recorded their phases."""
    seconds = phase_seconds((int(m["step"]), m["metrics"]) for m in steps)
    if seconds.empty or seconds.columns.empty:
        return []
    intro = (
        f"Wall seconds per phase over {len(seconds)} steps: mean per step, share of the mean "
        "step, most in one step (this machine, this load).\n"
    )
    return ["## Step time by phase\n", intro, markdown_table(phase_table(seconds)), ""]


def _by_actor(trace: pd.DataFrame) -> list[str]:
    """The actions and failed actions of each kind of actor (policies, events, people)."""
    if not len(trace):
        return []
    taken = trace.assign(actor=trace["actor"].fillna("unrecorded"), failed=~trace["ok"])
    counts = taken.groupby("actor").agg(actions=("ok", "size"), failed=("failed", "sum"))
    people = int(counts["actions"].get("person", 0))
    lines = ["## Actions by who took them\n", f"People took {people} actions.\n"]
    return [*lines, markdown_table(counts.reset_index()), ""]


def failure_line(folder: Path) -> str:
    """One line on the run's failed actions, duplicates first (read from its traces)."""
    trace = pd.read_parquet(folder / "traces.parquet", columns=["ok", "reason"])
    failed = trace[~trace["ok"]]
    duplicates = int((failed["reason"] == "duplicate").sum())
    share = 100.0 * duplicates / len(trace) if len(trace) else 0.0
    return (
        f"actions: {len(trace)}, failed {len(failed)}; duplicates {duplicates} "
        f"({share:.2f}% of all actions)"
    )


def failures_table(trace: pd.DataFrame) -> pd.DataFrame:
    """Failed actions by action and reason, with their share of all actions (in percent)."""
    failed = trace[~trace["ok"]] if len(trace) else trace
    counts = failed.groupby(["action", "reason"]).size().rename("failed").reset_index()
    return counts.assign(percent_of_actions=100.0 * counts["failed"] / max(len(trace), 1))


def score_run(
    folder: Path, real_path: Path, minutes: int, topic: str | None = None
) -> tuple[dict[str, float], int, str]:
    """NRMSE of a run's cascade against real per-minute curves, the root scored, the alignment.

    The root is the topic's source tweet (``comparison.json``), else the largest cascade. A
    folder of real curves in OASIS's layout is read for ``topic``, else the run's own topic.

    Raises:
        OasisError: the run has no cascade to score, or the real curves cannot be used.
    """
    try:
        curves = pd.read_csv(folder / "cascades.csv")
    except pd.errors.EmptyDataError as exc:
        raise OasisError(f"{folder / 'cascades.csv'}: empty") from exc
    record = folder / "comparison.json"
    known = json.loads(record.read_text()) if record.exists() else {}
    root = known.get("root_post_id")
    if root is None:
        finals = curves.groupby("root_post_id")["scale"].max()
        if finals.empty:
            raise OasisError(f"{folder}: the run has no cascade to score")
        root = int(finals.idxmax())
    real = load_real_curves(real_path, topic or known.get("topic"))
    scores = nrmse(curves[curves["root_post_id"] == root], real, minutes)
    return scores, int(root), ALIGNMENT.format(horizon=minutes)


def recorded_step_metrics(database_url: str) -> list[dict[str, Any]]:
    """The per-step metrics of the run in a database, by step."""
    platform = Platform.open(database_url, read_only=True)
    try:
        platform.check_readable()
        with platform.reader() as reader:
            table = reader.table(StepMetrics).sort_values("step")
    finally:
        platform.close()
    return [dict(m) for m in table["metrics"]]
