"""Activation follows the hourly profiles; the clock maps steps to hours."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from oasis.core.clock import (
    Clock,
    draw_active,
    hourly_probabilities,
    step_activity,
)
from oasis.loop.roster import Roster


def test_hourly_probabilities_follow_the_paper():
    frequency = np.array([[0, 4, 2], [2, 2, 0], [1, 0, 0]])
    assert hourly_probabilities(frequency).tolist() == [[0, 1, 1], [1, 0.5, 0], [0.5, 0, 0]]


def test_an_agent_with_no_activity_in_an_hour_is_never_active_then():
    rng = np.random.default_rng(0)
    frequency = rng.integers(1, 20, size=(2000, 24))
    frequency[:1000, 3] = 0  # the first half never acts at 03:00
    probability = hourly_probabilities(frequency)
    clock = Clock(datetime(2026, 1, 1), minutes_per_step=30)
    ids = np.arange(2000)
    at_three = [s for s in range(96) if clock.hour(s) == 3]
    assert len(at_three) == 4
    for step in range(96):
        active = draw_active(11, step, ids, probability[:, clock.hour(step)])
        if clock.hour(step) == 3:
            assert active.size > 0 and active.min() >= 1000
        assert np.isin(active, ids).all()


def test_activation_rate_matches_the_probability():
    ids = np.arange(100_000)
    active = draw_active(1, 0, ids, 0.1)
    assert abs(len(active) / len(ids) - 0.1) < 0.005
    assert not np.array_equal(active, draw_active(1, 1, ids, 0.1))
    assert np.array_equal(active, draw_active(1, 0, ids, 0.1))


def test_draws_do_not_depend_on_who_else_is_drawn():
    ids = np.arange(1000)
    together = draw_active(3, 5, ids, 0.3)
    halves = np.concatenate([draw_active(3, 5, ids[::2], 0.3), draw_active(3, 5, ids[1::2], 0.3)])
    assert np.array_equal(np.sort(halves), together)


def test_clock_labels_and_hours():
    clock = Clock(datetime(2026, 3, 1, 22, 0), minutes_per_step=90)
    assert [clock.hour(s) for s in range(4)] == [22, 23, 1, 2]
    assert clock.label(1) == "2026-03-01 23:30"
    assert clock.seconds(2) - clock.seconds(0) == 3 * 3600


def test_a_rate_per_hour_gives_the_same_views_per_hour_at_any_clock():
    rates = np.array([0.0, 0.2, 1.0, 6.0])
    for minutes in (1, 10, 20, 60):
        chance, views = step_activity(rates, minutes)
        per_hour = chance * views * 60 / minutes
        assert per_hour == pytest.approx(rates)
        assert (chance <= 1).all() and (views >= 1).all()
    assert step_activity(rates, 60)[0].tolist() == [0.0, 0.2, 1.0, 1.0]  # OASIS's P at 1 hour
    assert step_activity(rates, 60)[1].tolist() == [1.0, 1.0, 1.0, 6.0]


def test_windows_are_whole_steps_covering_a_duration():
    start = datetime(2026, 1, 1)
    assert Clock(start, 60).steps_in(24 * 60) == 24
    assert Clock(start, 1).steps_in(24 * 60) == 1440
    assert Clock(start, 7).steps_in(60) == 9
    assert Clock(start, 120).steps_in(30) == 1


def test_an_agents_own_rate_multiplier_scales_its_profile_or_the_uniform_rate():
    users = pd.DataFrame({"user_id": [0, 1, 2], "user_name": ["a", "b", "c"]})
    hourly = np.array([[0.5] * 24, [1.0] * 24, [0.0] * 24])
    multiplier = np.array([2.0, 0.5, 3.0])
    is_llm = np.zeros(3, bool)
    assert Roster(users, is_llm, hourly, multiplier).probability(5, 0.2).tolist() == [1, 0.5, 0]
    spread = Roster(users, is_llm, None, multiplier)
    assert spread.probability(5, 0.2) == pytest.approx([0.4, 0.1, 0.6])
    spread.join({3: {"user_name": "d", "name": "d", "bio": "", "persona": ""}})
    assert spread.probability(5, 0.2) == pytest.approx([0.4, 0.1, 0.6, 0.2])  # joined: typical
    assert Roster(users, is_llm, None).probability(5, 0.2) == 0.2
