"""Seed groups combined into one population: shifted ids and follows, unique names, a group
column, every rename listed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from oasis.datasets.groups import combine_groups
from oasis.datasets.twitter import load_twitter_users


def test_the_polarization_camps_combine_into_one_population(twitter_dir: Path) -> None:
    folder = twitter_dir / "group_polarization"
    conservative = load_twitter_users(folder / "197_baoshou.csv")
    progressive = load_twitter_users(folder / "197_progressive.csv")
    both = combine_groups({"conservative": conservative, "progressive": progressive})
    n = conservative.size
    assert both.size == 2 * n
    assert both.users["user_id"].tolist() == list(range(2 * n))
    assert both.users["group"].tolist() == ["conservative"] * n + ["progressive"] * n
    assert both.users["user_name"].is_unique
    assert np.array_equal(both.follows[: len(conservative.follows)], conservative.follows)
    assert np.array_equal(both.follows[len(conservative.follows) :], progressive.follows + n)
    assert both.activity is not None and both.activity.shape == (2 * n, 24)
    renamed = [r for r in both.repairs if r.problem == "duplicate name"]
    # 12 repeats inside each file, then the progressive copies of shared accounts
    assert len(renamed) > 24
    assert len(both.repairs) >= len(conservative.repairs) + len(progressive.repairs)
    assert both.users["persona"].iloc[n] == progressive.users["persona"].iloc[0]
