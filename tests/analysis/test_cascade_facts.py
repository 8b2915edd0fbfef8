"""Structural virality on hand-computed trees, and the facts of a run's large cascades."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oasis.analysis.cascade import structural_virality
from oasis.analysis.cascade_facts import FACT_COLUMNS, TREE_COLUMNS, cascade_facts


@pytest.mark.parametrize(
    ("parent", "expected"),
    [
        # a star of 6: 5 root-leaf pairs at 1, 10 leaf-leaf pairs at 2, over 15 pairs
        ([-1, 0, 0, 0, 0, 0], 25 / 15),
        # a chain of 5: 4 pairs at 1, 3 at 2, 2 at 3, 1 at 4, over 10 pairs: (n + 1) / 3
        ([-1, 0, 1, 2, 3], 2.0),
        # subtrees below each edge: 4, 2, 1, 2, 1, 1, 1 of 8 nodes; Wiener 16+12+7+12+7+7+7 = 68
        ([-1, 0, 0, 0, 1, 1, 4, 2], 68 / 28),
        ([-1, 0], 1.0),
    ],
    ids=["star", "chain", "known", "pair"],
)
def test_structural_virality_of_hand_computed_trees(parent: list[int], expected: float) -> None:
    assert structural_virality(np.array(parent)) == pytest.approx(expected)


def test_a_lone_root_has_no_structural_virality() -> None:
    assert np.isnan(structural_virality(np.array([-1])))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=60))
def test_structural_virality_is_the_mean_shortest_path(draws: list[float]) -> None:
    parent = np.array([-1] + [int(d * (i + 1)) for i, d in enumerate(draws)])
    graph = nx.Graph([(i, int(p)) for i, p in enumerate(parent) if p >= 0])
    expected = nx.average_shortest_path_length(graph)
    assert structural_virality(parent) == pytest.approx(expected)


def _cascade(root: int, author: int, parents: list[int], users: list[int], minutes: list[float]):
    """Root post ``root`` by ``author``, then share i of the post of share ``parents[i]``."""
    ids = [root] + [root * 100 + i for i in range(1, len(parents) + 1)]
    return pd.DataFrame(
        {
            "post_id": ids,
            "user_id": [author, *users],
            "original_post_id": [None] + [root] * len(parents),
            "parent_post_id": [None] + [ids[p] for p in parents],
            "minute": [0.0, *minutes],
        }
    )


def test_facts_of_the_cascades_that_reached_the_threshold() -> None:
    # cascade 1: 5 users, user 13 under 12 under 11, user 14 under the root; a repeat share of
    # user 11 (no new user); cascade 2: 3 users, below the threshold of 5
    big = _cascade(1, 10, [0, 1, 2, 0, 0], [11, 12, 13, 14, 11], [10, 20, 40, 80, 90])
    small = _cascade(2, 20, [0, 0], [21, 22], [5, 6])
    posts = pd.concat([big, small, _cascade(3, 30, [], [], [])], ignore_index=True)
    facts, trees = cascade_facts(posts, min_users=5)
    assert list(facts.columns) == list(FACT_COLUMNS) and list(trees.columns) == list(TREE_COLUMNS)
    assert facts["root_post_id"].tolist() == [1]
    fact = facts.iloc[0]
    assert (fact["scale"], fact["depth"], fact["max_breadth"]) == (5, 3, 2)
    # pairs: root-11 1, root-12 2, root-13 3, root-14 1, 11-12 1, 11-13 2, 11-14 2, 12-13 1,
    # 12-14 3, 13-14 4: 20 over 10 pairs
    assert fact["structural_virality"] == pytest.approx(2.0)
    assert fact["minutes_to_half"] == 20.0  # the 3rd of 5 users
    assert fact["minutes_to_90"] == 80.0  # the 5th
    assert trees["user_id"].tolist() == [10, 11, 12, 13, 14]
    assert trees["parent"].tolist() == [-1, 0, 1, 2, 0]


def test_no_cascade_reaches_the_threshold() -> None:
    facts, trees = cascade_facts(_cascade(2, 20, [0, 0], [21, 22], [5, 6]), min_users=50)
    assert facts.empty and trees.empty
    assert list(facts.columns) == list(FACT_COLUMNS) and list(trees.columns) == list(TREE_COLUMNS)
