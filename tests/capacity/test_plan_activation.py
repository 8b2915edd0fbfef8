"""``oasis plan`` counts the agents a run draws active, spread rates included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oasis.core.clock import draw_active, rate_multipliers, step_activity
from oasis.datasets.source import build_population
from oasis.loop.roster import Roster
from oasis.planning.inputs import active_agents
from tests.factories import experiment


@pytest.mark.parametrize("spread", [0.0, 2.0])
def test_the_plan_counts_the_agents_the_run_draws_active(tmp_path: Path, spread: float) -> None:
    # Half a view an hour at a one-hour clock: with rates spread 2.0 many agents' rates pass one
    # view a step and are capped, so the run's mean is far below half the agents.
    config = experiment(
        tmp_path,
        "plan",
        population={"source": "synthetic", "n_users": 20_000},
        activation={"kind": "uniform", "views_per_hour": 0.5, "rate_spread": spread},
        clock={"minutes_per_step": 60},
    )
    population = build_population(config.population, config.seed)
    ids = population.users["user_id"].to_numpy(np.int64)
    multiplier = rate_multipliers(config.seed, ids, spread) if spread else None
    roster = Roster(population.users, np.zeros(len(ids), bool), None, multiplier)
    chance = step_activity(roster.probability(0, 0.5), 60.0)[0]
    drawn = np.mean([len(draw_active(config.seed, step, ids, chance)) for step in range(20)])
    planned = active_agents(config, population)
    assert planned == pytest.approx(drawn, rel=0.02)
    assert (planned < 0.4 * len(ids)) == (spread > 0)
