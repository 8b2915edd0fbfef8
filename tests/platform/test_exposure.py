"""A share's parent is time-inferred, as the real cascades compared with were built."""

from __future__ import annotations

import pandas as pd

from oasis.platform.exposure import time_inferred_parents


def test_a_share_hangs_under_its_sharers_latest_earlier_followee_adopter():
    # Goel et al. 2016, Vosoughi et al. 2018: the parent is the most recent of the sharer's
    # followees who adopted before them (the root's author posted at 0), else the root.
    root = 100
    shares = pd.DataFrame(
        {
            "user_id": [1, 2, 3, 4, 5, 6, 7],
            "post_id": [101, 102, 103, 104, 105, 106, 107],
            "time": [1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0],
        }
    ).assign(root_id=root)
    follows = pd.DataFrame(
        [
            (2, 1),  # 2 follows 1, who shared before: under 1
            (3, 0), (3, 1), (3, 2),  # three followees adopted: the latest, 2
            (4, 3), (4, 1),  # 3 shared at the same time, not before: 1
            (6, 0),  # only the root's author: the root
            (7, 6), (7, 5), (7, 2),  # latest of 6 (t=5), 2 (t=2): 6; 5 follows nobody
        ],
        columns=["follower_id", "followee_id"],
    )  # fmt: skip
    parents = time_inferred_parents(shares, shares, follows)
    assert parents.tolist() == [root, 101, 102, 101, root, root, 106]


def test_adoptions_of_another_root_or_later_ones_never_parent_a_share():
    shares = pd.DataFrame({"user_id": [2], "root_id": [100], "time": [5.0]})
    adoptions = pd.DataFrame(
        {"user_id": [1, 1], "root_id": [200, 100], "post_id": [201, 102], "time": [1.0, 6.0]}
    )
    follows = pd.DataFrame({"follower_id": [2], "followee_id": [1]})
    assert time_inferred_parents(shares, adoptions, follows).tolist() == [100]
