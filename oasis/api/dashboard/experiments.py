"""The experiments' own figures for the dashboard: polarization rounds, the herd table, the topic.

All are computed from what the run stored (its experiment config, stances, interview answers, the
herd seed threads) by the analysis and loop functions that write the results folder, so the page
and ``summary.md`` agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from oasis.analysis import herd_effect, keyword_stance
from oasis.analysis.herd import herd_intervals, permutation_tests
from oasis.analysis.stance import stances_at
from oasis.api.dashboard.schemas import HerdGroupOut, ReferenceOut, StanceRoundOut
from oasis.datasets.settings import PopulationSettings
from oasis.datasets.source import build_population
from oasis.loop.herd_threads import HerdThreads
from oasis.loop.results import topic_figures
from oasis.loop.settings import HerdSettings
from oasis.platform import Platform

ALL = "all"


def stance_rounds(answers: Sequence[Mapping[str, Any]]) -> dict[str, list[StanceRoundOut]]:
    """Stance distributions per interview round, by group (``group`` key, else one group)."""
    if not answers:
        return {}
    frame = pd.DataFrame(list(answers))
    frame["stance"] = [keyword_stance(a) for a in frame["answer"]]
    if "group" not in frame:
        frame["group"] = ALL
    return {
        str(group): [_round(int(step), rows["stance"].to_numpy()) for step, rows in by_step]
        for group, part in frame.groupby("group", sort=True)
        for by_step in [part.groupby("step", sort=True)]
    }


def stance_steps(changes: np.ndarray, last_step: int, points: int = 500) -> list[StanceRoundOut]:
    """The distribution of every agent's latest stance after each step, from stored changes.

    ``changes`` holds rows of (user_id, step, stance) ordered by step; at most ``points`` steps
    are given (every k-th step and the last on longer runs).
    """
    if not len(changes):
        return []
    first = int(changes[0, 1])
    stride = max(1, -(-(last_step - first + 1) // points))
    shown = [
        step
        for step in range(first, max(first, last_step) + 1)
        if (step - first) % stride == 0 or step == last_step
    ]
    rows = pd.DataFrame(
        {"user_id": changes[:, 0].astype(np.int64), "step": changes[:, 1], "stance": changes[:, 2]}
    )
    return [_round(step, stance[~np.isnan(stance)]) for step, _, stance in stances_at(rows, shown)]


def stance_groups(
    changes: np.ndarray, last_step: int, population: PopulationSettings | None
) -> dict[str, list[StanceRoundOut]]:
    """:func:`stance_steps` of every agent (``all``), then of each seed group of the population."""
    rounds = {ALL: stance_steps(changes, last_step)}
    groups = seed_groups(population.model_dump_json()) if population is not None else {}
    for name, members in groups.items():
        mine = changes[np.isin(changes[:, 0].astype(np.int64), members)]
        rounds[name] = stance_steps(mine, last_step)
    return rounds


@lru_cache(maxsize=4)
def seed_groups(population: str) -> dict[str, np.ndarray]:
    """The agent ids of each seed group of a population's settings (JSON); none without groups.

    The groups are the seed files the population was loaded from, in order (as the run made
    them); read once per population and kept.
    """
    settings = PopulationSettings.model_validate_json(population)
    if not settings.groups:
        return {}
    try:
        users = build_population(settings, 0).users
    except (OSError, ValueError):  # seed files not on this machine: every agent as one line
        return {}
    return {
        str(name): part["user_id"].to_numpy(np.int64)
        for name, part in users.groupby("group", sort=False)
    }


def _round(step: int, stance: np.ndarray) -> StanceRoundOut:
    # Thirds of [-1, 1]: a keyword stance of -1/0/+1 falls in its own third.
    return StanceRoundOut(
        step=step,
        n=len(stance),
        negative=float(np.mean(stance < -1 / 3)),
        neutral=float(np.mean(np.abs(stance) <= 1 / 3)),
        positive=float(np.mean(stance > 1 / 3)),
        mean_stance=float(stance.mean()),
        polarization=float(stance.var()),
    )


def herd_groups(
    platform: Platform, herd: HerdSettings | None, agents: int, seed: int
) -> list[HerdGroupOut]:
    """Mean final score of the seeded first comments per treatment group (none if no herd).

    ``seed`` is the run's (it drew the threads' posting order).
    """
    if herd is None or agents == 0:
        return []
    comments = HerdThreads.load(herd, agents, seed).table(platform, steps=0)  # no views
    table = herd_effect(comments)
    # what herd.csv shows: the agents' votes with their intervals, and the tests on them
    agents_only = herd_intervals(comments)
    tests = permutation_tests(comments).set_index("comparison")["p_value"]
    return [
        HerdGroupOut(
            group=str(group),
            n=int(row.n),
            mean_score=_number(row.mean_score),
            std_score=_number(row.std_score),
            agents_mean_score=_number(agents_only.loc[group, "mean_score"]),
            agents_lo_score=_number(agents_only.loc[group, "lo_score"]),
            agents_hi_score=_number(agents_only.loc[group, "hi_score"]),
            p_value=_number(tests.get(f"{group} vs control", math.nan)),
        )
        for group, row in table.iterrows()
    ]


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def topic_reference(population: PopulationSettings | None) -> ReferenceOut:
    """The real figures of a Twitter15/16 topic population (``all_topics.csv``), else nulls."""
    figures = topic_figures(population) if population is not None else None
    if figures is None:
        return ReferenceOut(topic=None, num_users=None, max_depth=None)
    return ReferenceOut(
        topic=figures.topic, num_users=figures.num_users, max_depth=figures.max_depth
    )
