"""The same experiment at 60, 20 and 10 minutes per step gives the same actions per hour."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from oasis.platform.schema import Trace
from tests.factories import experiment, finished_tables

HOURS = 8
SEEDS = (1, 2, 3)
CLOCKS = (60, 20, 10)


def trace_of(tmp_path: Path, minutes: int, seed: int) -> pd.DataFrame:
    """The trace of 100 agents viewing 0.6 times an hour over ``HOURS`` simulated hours."""
    config = experiment(
        tmp_path, f"m{minutes}-s{seed}", seed=seed, steps=HOURS * 60 // minutes,
        clock={"minutes_per_step": minutes, "start": "2026-01-05T08:00:00"},
        activation={"kind": "uniform", "views_per_hour": 0.6},
        population={"source": "synthetic", "n_users": 100},
    )  # fmt: skip
    return finished_tables(config, Trace)[0]


def counts(trace: pd.DataFrame) -> dict[str, int]:
    """Feed views (active agents per step), actions taken, and the kinds that dominate them."""
    acted = trace[trace["action"] != "do_nothing"]
    return {
        "views": len(trace[["step", "user_id"]].drop_duplicates()),
        "actions": len(acted),
        "create_post": int((acted["action"] == "create_post").sum()),
        "follow": int((acted["action"] == "follow").sum()),
    }


@pytest.mark.slow
def test_actions_per_simulated_hour_do_not_depend_on_the_clock(tmp_path):
    totals = {
        minutes: pd.DataFrame([counts(trace_of(tmp_path, minutes, s)) for s in SEEDS]).sum()
        for minutes in CLOCKS
    }
    hourly = totals[60]
    assert hourly["views"] > 0.8 * 0.6 * 100 * HOURS * len(SEEDS)
    for minutes in CLOCKS[1:]:
        for kind, count in totals[minutes].items():
            # counts of many independent draws: within four Poisson standard errors
            error = 4 * math.sqrt(count + hourly[kind])
            assert abs(count - hourly[kind]) <= error, (minutes, kind, count, hourly[kind])
