"""Attention is SEISMIC's kernel's share since the reader's last view: whole over all views."""

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


@pytest.mark.parametrize("gap_s", [60.0, 600.0, HOUR, 5 * HOUR])
def test_a_readers_views_of_a_post_add_up_to_the_kernels_total_at_any_view_rate(gap_s):
    # SEISMIC's kernel is when real people reshare, the time to open their feed included: a
    # view gets the kernel's share since the previous view, so whether a reader views every
    # minute or every five hours, its views of a post hold the whole kernel once.
    ages = gap_s * np.arange(1, int(30 * 24 * HOUR / gap_s) + 1)
    total = attention(ages, gap_s, PLATEAU, THETA).sum()
    month = kernel_mass(np.array([ages[-1]]), PLATEAU, THETA)[0] / total_mass(PLATEAU, THETA)
    assert total == pytest.approx(month)
    assert month > 0.75  # the power law's tail: a quarter of the mass is past a month
    uneven = np.cumsum(np.random.default_rng(3).exponential(gap_s, 500))
    gaps = np.diff(uneven, prepend=0.0)
    assert attention(uneven, gaps, PLATEAU, THETA).sum() == pytest.approx(
        kernel_mass(uneven[-1:], PLATEAU, THETA)[0] / total_mass(PLATEAU, THETA)
    )


def test_a_first_view_gets_all_the_kernel_up_to_the_posts_age():
    ages = np.array([60.0, HOUR])
    assert attention(ages, np.inf, PLATEAU, THETA) == pytest.approx(
        kernel_mass(ages, PLATEAU, THETA) / total_mass(PLATEAU, THETA)
    )
    assert total_mass(PLATEAU, THETA) == pytest.approx(PLATEAU * (1 + 1 / THETA))


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


def test_a_views_share_chance_is_the_rate_times_the_kernels_part_since_the_last_view():
    rates = HeuristicSettings(repost=1.0)
    gap = np.full(N, 600.0)
    ages = np.array([600.0, HOUR, 6 * HOUR])
    measured = np.array(
        [share_of(rates, one_post(post_ages=np.full(N, a), since_view_s=gap)) for a in ages]
    )
    expected = attention(ages, 600.0, rates.attention_plateau_s, rates.attention_theta)
    tolerance = 4 * np.sqrt(expected * (1 - expected) / N)
    assert np.all(np.abs(measured - expected) <= tolerance)
    assert measured[0] > measured[1] > measured[2]  # falls with age as the kernel does


def test_a_steps_views_share_the_entrys_attention_but_compound_the_post_rate():
    # The kernel's part since the previous view is the entry's chance for the whole step, so
    # more views in the step do not multiply it; a chance per feed view (post) compounds.
    rates = HeuristicSettings(repost=1.0, post=0.2)
    timed = {"post_ages": np.full(N, HOUR), "since_view_s": np.full(N, HOUR)}
    expected = attention(np.array([HOUR]), HOUR, PLATEAU, THETA)[0]
    for views in (1.0, 3.0):
        batch = one_post(views=np.full(N, views), **timed)
        assert share_of(rates, batch) == pytest.approx(expected, abs=4 * np.sqrt(0.25 / N))
        decisions = decide_heuristic(rates, 7, 0, batch, frozenset({ActionType.CREATE_POST}))
        posted = sum(a.type is ActionType.CREATE_POST for d in decisions for a in d) / N
        assert posted == pytest.approx(1 - 0.8**views, abs=4 * np.sqrt(0.25 / N))


def test_a_post_the_seed_says_the_reader_shared_is_shared_by_seed_share_and_attention():
    rates = HeuristicSettings()
    seeded = one_post(post_ages=np.full(N, HOUR), seed_shared=np.arange(N) % 2 == 0)
    decisions = decide_heuristic(rates, 5, 0, seeded, frozenset({ActionType.REPOST}))
    shared = np.array([any(a.type is ActionType.REPOST for a in d) for d in decisions])
    expected = rates.seed_share * attention(np.array([HOUR]), np.inf, PLATEAU, THETA)[0]
    assert shared[::2].mean() == pytest.approx(expected, abs=4 * np.sqrt(expected / (N / 2)))
    assert shared[1::2].mean() < rates.repost  # the others: the population's rate, decayed


def test_what_a_user_shares_depends_on_what_the_post_is_about():
    rates = HeuristicSettings(repost=0.2)
    shares = []
    for similarity in (-0.3, 0.1, 0.8):
        batch = replace(one_post(), similarity=np.full(N, similarity))
        shares.append(share_of(rates, batch))
    # affinity clip(0.5 + sim, 0, 1.5): 0.2, 0.6 and 1.3 times the rate
    assert shares == pytest.approx([0.04, 0.12, 0.26], abs=4 * np.sqrt(0.25 / N))
