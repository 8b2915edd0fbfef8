"""A step's figures, stored with it: who was active, LLM usage within its bounds, phase times.

The LLM usage is checked before the step commits: too many failed requests, or answers that did
not parse, stop the run with nothing of the step written (``--resume`` goes on from there).
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

import numpy as np

from oasis.agents.llm.chat import LLMStats
from oasis.agents.llm.groups import DEFAULT_GROUP
from oasis.agents.llm.settings import LLMSettings
from oasis.agents.shards.worker import Decisions
from oasis.analysis.step_time import PHASES, PREVIOUS
from oasis.errors import RunError
from oasis.loop.phases import PhaseClock


def step_metrics(
    active: np.ndarray,
    llm_active: int,
    observed: int,
    decided: Decisions,
    stats: LLMStats,
    started: float,
    people: int = 0,
) -> dict[str, Any]:
    """The step's figures stored with it: who was active, LLM usage, shards, decision time.

    ``observed``: the agents given observations (LLM and custom-policy ones); ``people``: the
    people present (a figure kept only where some were).
    """
    metrics: dict[str, Any] = {
        "active": len(active),
        "llm_active": llm_active,
        "custom_active": observed - llm_active,
        **asdict(stats),
        **({"people": people} if people else {}),
    }
    if decided.shards:
        metrics["shards"] = [asdict(usage) for usage in decided.shards]
    if decided.groups:
        metrics["llm_groups"] = {
            name or DEFAULT_GROUP: asdict(stats) for name, stats in decided.groups.items()
        }
    return metrics | {"decide_s": round(time.perf_counter() - started, 4)}


def phase_figures(phase: PhaseClock, previous: dict[str, float]) -> dict[str, Any]:
    """The step's phases timed so far, with the previous step's late ones (if it ran here)."""
    figures: dict[str, Any] = {PHASES: phase.seconds()}
    return figures | ({PREVIOUS: previous} if previous else {})


def checked_stats(step: int, decided: Decisions, judged: LLMStats, llm: LLMSettings) -> LLMStats:
    """The step's LLM usage (decisions, interviews, the stance judge), within its bounds.

    The share of failed requests counts every request; the share of answers that did not
    parse counts the agents' decisions only (a rating the judge gives unreadably leaves an
    answer unscored, counted in ``invalid_outputs``).

    Raises:
        RunError: too many requests failed or answers did not parse; nothing is committed.
    """
    stats = decided.stats + judged
    _check_failure_rate(step, stats, llm.max_failure_rate)
    _check_invalid_rate(step, decided.stats, llm.max_invalid_rate)
    return stats


def _check_failure_rate(step: int, stats: LLMStats, bound: float) -> None:
    """Stop the run, before the step is committed, when too many LLM requests failed."""
    if stats.requests and stats.failures / stats.requests > bound:
        raise RunError(
            f"step {step}: {stats.failures} of {stats.requests} LLM requests failed (more than "
            f"llm.max_failure_rate {bound:.0%}); the step was not committed: check the "
            "endpoints, then continue with --resume"
        )


def _check_invalid_rate(step: int, stats: LLMStats, bound: float) -> None:
    """Stop the run, before the step is committed, when too many answers did not parse."""
    if stats.answers and stats.invalid_outputs / stats.answers > bound:
        raise RunError(
            f"step {step}: {stats.invalid_outputs} of {stats.answers} LLM answers did not parse "
            f"(more than llm.max_invalid_rate {bound:.0%}); the step was not committed: check the "
            "model and llm.max_tokens, then continue with --resume"
        )
