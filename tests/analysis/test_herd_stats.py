"""Herd statistics pinned against values worked out by hand on small fixed samples.

Each test fails on one plausible slip: z for t, ddof 0, ``t.ppf(level)`` for
``t.ppf((1 + level) / 2)``, a one-sided count against ``|observed|``, the +1 left out of the
permutation p-value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oasis.analysis.herd import herd_intervals, per_view_tests, permutation_tests, t_interval

# t quantile for 97.5 % with 3 degrees of freedom, from a printed t table
T_975_3 = 3.182446305284263


def _comments(scores: dict[str, list[int]]) -> pd.DataFrame:
    """First comments whose agents' score is ``scores[group]`` (the planted vote added back)."""
    planted = {"up": (1, 0), "down": (0, 1), "control": (0, 0)}
    rows = []
    for group, values in scores.items():
        for value in values:
            like, dislike = planted[group]
            rows.append(
                {"group": group, "num_likes": like + max(value, 0),
                 "num_dislikes": dislike + max(-value, 0)}
            )  # fmt: skip
    return pd.DataFrame(rows)


def test_t_interval_of_one_to_four() -> None:
    # mean 2.5, sample sd sqrt(5/3) (ddof 1), se sqrt(5/3)/2, half = t(0.975, 3) * se
    half = T_975_3 * np.sqrt(5 / 3) / 2
    lo, hi = t_interval(np.array([1.0, 2.0, 3.0, 4.0]), 0.95)
    assert lo == pytest.approx(2.5 - half, abs=1e-9)
    assert hi == pytest.approx(2.5 + half, abs=1e-9)
    assert (lo, hi) == pytest.approx((0.445740, 4.554260), abs=1e-6)


def test_herd_intervals_leave_the_planted_vote_out_and_use_t() -> None:
    table = herd_intervals(_comments({"up": [1, 2, 3, 4], "control": [0, 0, 1, 1]}))
    up = table.loc["up"]
    assert up["mean_score"] == pytest.approx(2.5)
    assert (up["lo_score"], up["hi_score"]) == pytest.approx((0.445740, 4.554260), abs=1e-6)
    assert np.isnan(up["seed_lo_score"])  # one seed: no interval over seeds


@pytest.mark.parametrize("group, scores", [("up", [3, 4, 5]), ("down", [-3, -2, -1])])
def test_permutation_p_is_two_sided_on_three_against_three(group: str, scores: list[int]) -> None:
    # control 0, 1, 2. Of the 20 ways to pick three of the six pooled scores as the treated
    # group, only the observed split and its mirror image are as far apart as observed
    # (|difference| 3): the exact two-sided p is 2/20 = 0.1, a one-sided one 0.05.
    tests = permutation_tests(_comments({group: scores, "control": [0, 1, 2]}))
    row = tests.set_index("comparison").loc[f"{group} vs control"]
    assert row["difference"] == pytest.approx(3.0 if group == "up" else -3.0)
    assert row["p_value"] == pytest.approx(0.1, abs=0.015)


def test_permutation_p_counts_the_observed_split() -> None:
    # ten ones against ten zeros: 2 of the C(20, 10) = 184,756 splits are as extreme, so 99
    # random permutations find none and p is (0 + 1) / (99 + 1), never 0
    comments = _comments({"up": [1] * 10, "control": [0] * 10})
    tests = permutation_tests(comments, permutations=99).set_index("comparison")
    assert tests.loc["up vs control", "p_value"] == pytest.approx(0.01)


def test_per_view_tests_compare_pooled_rates() -> None:
    from oasis.analysis.herd import per_view_tests

    # up: 3 net votes in 3 views (rate 1); control: 1 + 1 in 5 + 5 views (0.2); an unseen
    # control thread counts in neither sum. Of the 3 ways to pick the one "up" thread, only
    # the observed one differs by 0.8 or more (the others: 0.2 - 4/8 = -0.3): p about 1/3.
    comments = _comments({"up": [3], "control": [1, 1, 0]}).assign(views=[3, 5, 5, 0])
    tests = per_view_tests(comments).set_index("comparison")
    row = tests.loc["up vs control"]
    assert row["measure"] == "score_per_view"
    assert row["difference"] == pytest.approx(0.8)
    assert row["p_value"] == pytest.approx(1 / 3, abs=0.02)
    assert (row["n_treated"], row["n_control"]) == (1, 2)


def test_seeds_of_the_same_threads_are_summed_not_counted_as_more_threads() -> None:
    # Each thread's planted vote is the seed file's in every seed: copying a run as a second
    # seed adds no evidence, so the test's p-value and difference stay those of one run.
    one = _comments({"up": [2, 1, 3], "control": [0, 1, 0]})
    one = one.assign(thread=range(len(one)), views=4)
    two = pd.concat([one.assign(seed=1), one.assign(seed=2)], ignore_index=True)
    for tests in (permutation_tests, per_view_tests):
        single = tests(one).set_index("comparison").loc["up vs control"]
        doubled = tests(two).set_index("comparison").loc["up vs control"]
        assert doubled["p_value"] == pytest.approx(single["p_value"])
        assert (doubled["n_treated"], doubled["n_control"]) == (3, 3)
    # were the six rows independent threads, p would fall below the three-thread 0.1 floor
    rows = permutation_tests(two.drop(columns="thread")).set_index("comparison")
    assert rows.loc["up vs control", "p_value"] < 0.1
