"""The experiments' own figures for the dashboard: polarization rounds and the herd table.

Both are computed from what the run stored (interview answers, the herd seed threads), with the
same analysis functions as the results folder, so the page and ``summary.md`` agree.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from oasis.analysis import herd_effect, keyword_stance
from oasis.analysis.herd import herd_intervals, permutation_tests
from oasis.api.dashboard.schemas import HerdGroupOut, ReferenceOut, StanceRoundOut
from oasis.datasets.reddit import load_counterfactual
from oasis.datasets.settings import BUILTIN_DATA, PopulationSettings
from oasis.datasets.source import build_population
from oasis.datasets.twitter import load_topics
from oasis.loop.herd_threads import HerdThreads
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
    ids, slot = np.unique(changes[:, 0].astype(np.int64), return_inverse=True)
    steps, values = changes[:, 1].astype(np.int64), changes[:, 2]
    current = np.full(len(ids), np.nan)
    first = int(steps[0])
    stride = max(1, -(-(last_step - first + 1) // points))
    found, start = [], 0
    for step in range(first, max(first, last_step) + 1):
        end = int(np.searchsorted(steps, step, side="right"))
        current[slot[start:end]] = values[start:end]
        start = end
        if (step - first) % stride == 0 or step == last_step:
            found.append(_round(step, current[~np.isnan(current)]))
    return found


def stance_groups(
    changes: np.ndarray, last_step: int, population: Mapping[str, Any]
) -> dict[str, list[StanceRoundOut]]:
    """:func:`stance_steps` of every agent (``all``), then of each seed group of the population."""
    rounds = {ALL: stance_steps(changes, last_step)}
    for name, members in seed_groups(json.dumps(population, sort_keys=True)).items():
        mine = changes[np.isin(changes[:, 0].astype(np.int64), members)]
        rounds[name] = stance_steps(mine, last_step)
    return rounds


@lru_cache(maxsize=4)
def seed_groups(population: str) -> dict[str, np.ndarray]:
    """The agent ids of each seed group of a population's settings (JSON); none without groups.

    The groups are the seed files the population was loaded from, in order (as the run made
    them); read once per population and kept.
    """
    settings = json.loads(population)
    if not settings.get("groups"):
        return {}
    try:
        users = build_population(PopulationSettings.model_validate(settings), 0).users
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


def herd_groups(platform: Platform, config: Mapping[str, Any], agents: int) -> list[HerdGroupOut]:
    """Mean final score of the seeded first comments per treatment group (none if no herd)."""
    herd = config.get("herd")
    if not herd or agents == 0:
        return []
    threads = HerdThreads(load_counterfactual(herd["path"]), agents, herd.get("threads"))
    comments = threads.table(platform, steps=0)  # scores only: no views counted
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


def topic_reference(population: Mapping[str, Any]) -> ReferenceOut:
    """The real figures of a Twitter15/16 topic population (``all_topics.csv``), else nulls."""
    topic = population.get("topic")
    if population.get("source") != "topic" or not topic:
        return ReferenceOut(topic=None, num_users=None, max_depth=None)
    path = str(population.get("topics_path") or "builtin:twitter/all_topics.csv")
    if path.startswith("builtin:"):
        path = str(BUILTIN_DATA / path.removeprefix("builtin:"))
    row = load_topics(path).loc[topic]
    return ReferenceOut(
        topic=str(topic), num_users=int(row["num_users"]), max_depth=int(row["max_depth"])
    )
