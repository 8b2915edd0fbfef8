"""Attention is SEISMIC's kernel's share in the step over the chance to view: when, not how much."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from oasis.agents.heuristic.attention import attention, kernel, kernel_mass, total_mass
from oasis.agents.heuristic.policy import HeuristicBatch, decide_heuristic
from oasis.agents.heuristic.settings import HeuristicSettings
from oasis.core.actions import ActionType

PLATEAU, THETA = 300.0, 0.242
HOUR = 3600.0


def test_the_kernel_is_flat_for_the_plateau_then_a_power_law():
    ages = np.array([0.0, 60.0, 300.0, 600.0, 3000.0])
    expected = [1.0, 1.0, 1.0, 2 ** -(1 + THETA), 10 ** -(1 + THETA)]
    assert kernel(ages, PLATEAU, THETA) == pytest.approx(expected)
    # the antiderivative: the plateau's area, then s0 / theta x (1 - (s / s0) ** -theta)
    assert kernel_mass(np.array([120.0, 3000.0]), PLATEAU, THETA) == pytest.approx(
        [120.0, PLATEAU + PLATEAU / THETA * (1 - 10**-THETA)]
    )


@pytest.mark.parametrize("step_s", [60.0, 600.0, HOUR])
@pytest.mark.parametrize("chance", [0.01, 0.2, 1.0])
def test_a_readers_expected_chance_over_its_steps_is_the_kernels_total_at_any_view_rate(
    step_s, chance
):
    # SEISMIC's kernel is when real people reshare: each step holds the kernel's mass over the
    # post's ages in it, given to a reader who views in the step with chance c as mass / c, so
    # the expectation over the steps is the kernel's mass whatever the clock and view rate.
    ages = step_s * np.arange(1, int(30 * 24 * HOUR / step_s) + 1)
    expected = (chance * attention(ages, step_s, chance, PLATEAU, THETA)).sum()
    month = kernel_mass(np.array([ages[-1]]), PLATEAU, THETA)[0] / total_mass(PLATEAU, THETA)
    assert expected == pytest.approx(month)
    assert month > 0.75  # the power law's tail: a quarter of the mass is past a month
    assert total_mass(PLATEAU, THETA) == pytest.approx(PLATEAU * (1 + 1 / THETA))


@pytest.mark.parametrize("views_per_hour", [0.05, 0.5, 6.0])
def test_reshares_come_when_the_kernel_says_not_a_view_gap_later(views_per_hour):
    # A reader viewing once in 20 hours or six times an hour: at a 10-minute clock its expected
    # shares of a post (rate 0.05 a view) come at the kernel's times, half within the hour
    # (the kernel: 56%), where giving each view the mass since the reader's previous view put
    # a rare viewer's shares a view gap (20 hours) after the post. A chance above 1 is capped:
    # the rare viewer has less of the kernel's first hour, and shares a little less.
    step_s, rate = 600.0, 0.05
    chance = min(1.0, views_per_hour * step_s / HOUR)
    ages = step_s * np.arange(1, 24 * 30 * 6 + 1)
    per_step = chance * np.minimum(1.0, rate * attention(ages, step_s, chance, PLATEAU, THETA))
    kernel_month = kernel_mass(ages[-1:], PLATEAU, THETA)[0] / total_mass(PLATEAU, THETA)
    kernel_hour = kernel_mass(np.array([HOUR]), PLATEAU, THETA)[0] / total_mass(PLATEAU, THETA)
    within_hour = per_step[ages <= HOUR].sum() / per_step.sum()
    assert 0.5 <= within_hour <= kernel_hour / kernel_month + 1e-9
    # what the cap leaves to a rare viewer: most of the chance, but not all of it
    assert 0.8 * rate * kernel_month < per_step.sum() <= rate * kernel_month + 1e-9


N = 20_000


def one_post(**time: object) -> HeuristicBatch:
    """N readers who each see one post (similarity 0.5, no engagement), with ``time`` columns."""
    return HeuristicBatch(
        agent_ids=np.arange(N),
        indptr=np.arange(N + 1),
        post_ids=np.ones(N, np.int64),
        author_ids=np.full(N, 10**6),
        similarity=np.full(N, 0.5),
        popularity=np.zeros(N),
        comment_ids=np.full(N, -1),
        comment_scores=np.zeros(N),
        topics=["news"] * N,
        **time,  # type: ignore[arg-type]
    )


def share_of(rates: HeuristicSettings, batch: HeuristicBatch) -> float:
    """The share of the batch's readers who repost the post."""
    decisions = decide_heuristic(rates, 7, 0, batch, frozenset({ActionType.REPOST}))
    return sum(a.type is ActionType.REPOST for d in decisions for a in d) / N


def test_a_views_share_chance_is_the_rate_times_the_kernels_part_over_the_chance_to_view():
    rates = HeuristicSettings(repost=0.05)
    chance = np.full(N, 0.1)
    ages = np.array([600.0, HOUR, 6 * HOUR])
    measured = np.array(
        [
            share_of(rates, one_post(post_ages=np.full(N, a), step_s=600.0, view_chance=chance))
            for a in ages
        ]
    )
    expected = 0.05 * attention(ages, 600.0, 0.1, rates.attention_plateau_s, rates.attention_theta)
    tolerance = 4 * np.sqrt(expected * (1 - expected) / N)
    assert np.all(np.abs(measured - expected) <= tolerance)
    assert measured[0] > measured[1] > measured[2]  # falls with age as the kernel does


def test_a_steps_views_share_the_entrys_attention_but_compound_the_post_rate():
    # The kernel's part in the step is the entry's chance for the whole step, so more views in
    # the step do not multiply it; a chance per feed view (post) compounds.
    rates = HeuristicSettings(repost=1.0, post=0.2)
    timed = {"post_ages": np.full(N, HOUR), "step_s": HOUR, "view_chance": np.ones(N)}
    expected = attention(np.array([HOUR]), HOUR, 1.0, PLATEAU, THETA)[0]
    for views in (1.0, 3.0):
        batch = one_post(views=np.full(N, views), **timed)
        assert share_of(rates, batch) == pytest.approx(expected, abs=4 * np.sqrt(0.25 / N))
        decisions = decide_heuristic(rates, 7, 0, batch, frozenset({ActionType.CREATE_POST}))
        posted = sum(a.type is ActionType.CREATE_POST for d in decisions for a in d) / N
        assert posted == pytest.approx(1 - 0.8**views, abs=4 * np.sqrt(0.25 / N))


def test_a_post_the_seed_says_the_reader_shared_is_shared_by_seed_share_and_attention():
    rates = HeuristicSettings()
    timed = {"post_ages": np.full(N, 3 * HOUR), "step_s": 600.0, "view_chance": np.full(N, 0.5)}
    seeded = one_post(seed_shared=np.arange(N) % 2 == 0, **timed)
    decisions = decide_heuristic(rates, 5, 0, seeded, frozenset({ActionType.REPOST}))
    shared = np.array([any(a.type is ActionType.REPOST for a in d) for d in decisions])
    expected = rates.seed_share * attention(np.array([3 * HOUR]), 600.0, 0.5, PLATEAU, THETA)[0]
    assert shared[::2].mean() == pytest.approx(expected, abs=4 * np.sqrt(expected / (N / 2)))
    assert shared[1::2].mean() < rates.repost  # the others: the population's rate, decayed


def test_an_entry_with_ages_needs_the_steps_length():
    with pytest.raises(ValueError, match="step_s"):
        share_of(HeuristicSettings(), one_post(post_ages=np.full(N, HOUR)))


def test_what_a_user_shares_depends_on_what_the_post_is_about():
    rates = HeuristicSettings(repost=0.2)
    shares = []
    for similarity in (-0.3, 0.1, 0.8):
        batch = replace(one_post(), similarity=np.full(N, similarity))
        shares.append(share_of(rates, batch))
    # affinity clip(0.5 + sim, 0, 1.5): 0.2, 0.6 and 1.3 times the rate
    assert shares == pytest.approx([0.04, 0.12, 0.26], abs=4 * np.sqrt(0.25 / N))
