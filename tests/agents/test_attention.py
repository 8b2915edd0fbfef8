"""Attention decays with a post's age by SEISMIC's kernel, the same at any step length."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from oasis.agents.heuristic.attention import attention, kernel, kernel_mass
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


@pytest.mark.parametrize("step_s", [600.0, 1200.0, HOUR])
def test_a_posts_views_add_up_to_the_same_attention_at_any_step_length(step_s):
    # A reader viewing every step sees a post at ages dt, 2 dt, ...: each view averages the
    # kernel over the step before it, so a day of views sums to the kernel's mass over a day.
    ages = step_s * np.arange(1, int(24 * HOUR / step_s) + 1)
    total = attention(ages, step_s, PLATEAU, THETA).sum() * step_s
    assert total == pytest.approx(kernel_mass(np.array([24 * HOUR]), PLATEAU, THETA)[0])
    assert attention(ages[:1], step_s, PLATEAU, THETA)[0] < 1.0  # the first step is averaged


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


def test_a_posts_share_chance_falls_with_age_as_the_kernel_says():
    rates = HeuristicSettings(repost=0.5)
    ages = np.array([60.0, 600.0, HOUR, 6 * HOUR])
    measured = np.array([share_of(rates, one_post(post_ages=np.full(N, age))) for age in ages])
    expected = 0.5 * kernel(ages, rates.attention_plateau_s, rates.attention_theta)
    tolerance = 4 * np.sqrt(expected * (1 - expected) / N)
    assert np.all(np.abs(measured - expected) <= tolerance)
    assert measured[0] > measured[1] > measured[2] > measured[3]


def test_views_in_a_step_compound_the_chance_per_view():
    rates = HeuristicSettings(repost=0.2)
    for views in (1.0, 3.0):
        share = share_of(rates, one_post(views=np.full(N, views)))
        assert share == pytest.approx(1 - 0.8**views, abs=4 * np.sqrt(0.25 / N))


def test_a_post_the_seed_says_the_reader_shared_is_shared_by_seed_share_and_attention():
    rates = HeuristicSettings()
    seeded = one_post(post_ages=np.full(N, HOUR), seed_shared=np.arange(N) % 2 == 0)
    decisions = decide_heuristic(rates, 5, 0, seeded, frozenset({ActionType.REPOST}))
    shared = np.array([any(a.type is ActionType.REPOST for a in d) for d in decisions])
    expected = rates.seed_share * kernel(np.array([HOUR]), PLATEAU, THETA)[0]
    assert shared[::2].mean() == pytest.approx(expected, abs=4 * np.sqrt(expected / (N / 2)))
    assert shared[1::2].mean() < rates.repost  # the others: the population's rate, decayed


def test_what_a_user_shares_depends_on_what_the_post_is_about():
    rates = HeuristicSettings(repost=0.2)
    shares = []
    for similarity in (-0.3, 0.1, 0.8):
        batch = replace(one_post(post_ages=np.full(N, 60.0)), similarity=np.full(N, similarity))
        shares.append(share_of(rates, batch))
    # affinity clip(0.5 + sim, 0, 1.5): 0.2, 0.6 and 1.3 times the rate
    assert shares == pytest.approx([0.04, 0.12, 0.26], abs=4 * np.sqrt(0.25 / N))
