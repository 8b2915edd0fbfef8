"""The experiments' own figures for the dashboard: polarization rounds and the herd table.

Both are computed from what the run stored (interview answers, the herd seed threads), with the
same analysis functions as the results folder, so the page and ``summary.md`` agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from oasis.analysis import herd_effect, keyword_stance
from oasis.api.dashboard.schemas import HerdGroupOut, StanceRoundOut
from oasis.datasets.reddit import load_counterfactual
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


def _round(step: int, stance: np.ndarray) -> StanceRoundOut:
    return StanceRoundOut(
        step=step,
        n=len(stance),
        negative=float(np.mean(stance < 0)),
        neutral=float(np.mean(stance == 0)),
        positive=float(np.mean(stance > 0)),
        mean_stance=float(stance.mean()),
        polarization=float(stance.var()),
    )


def herd_groups(platform: Platform, config: Mapping[str, Any], agents: int) -> list[HerdGroupOut]:
    """Mean final score of the seeded first comments per treatment group (none if no herd)."""
    herd = config.get("herd")
    if not herd or agents == 0:
        return []
    threads = HerdThreads(load_counterfactual(herd["path"]), agents, herd.get("threads"))
    table = herd_effect(threads.table(platform))
    return [
        HerdGroupOut(
            group=str(group),
            n=int(row.n),
            mean_score=_number(row.mean_score),
            std_score=_number(row.std_score),
        )
        for group, row in table.iterrows()
    ]


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number
