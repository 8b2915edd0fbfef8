import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oasis.analysis import cascade_metrics, cascade_tree, cascades_metrics, write_metrics_csv

# Root 1 by user 10. Step 1: 2 reposts 1, 3 quotes 1. Step 2: 4 reposts the repost 2, 5 reposts
# the quote 3, 6 reposts 1. Step 3: 7 and 8 repost the repost-of-repost 4; user 11 reposts twice.
# Posts 100/101 are another cascade; 200 is an unrelated original.
POSTS = pd.DataFrame(
    {
        "post_id": [1, 2, 3, 4, 5, 6, 7, 8, 100, 101, 200],
        "user_id": [10, 11, 12, 13, 14, 15, 16, 11, 20, 21, 22],
        "original_post_id": [None, 1, 1, 1, 1, 1, 1, 1, None, 100, None],
        "parent_post_id": [None, 1, 1, 2, 3, 1, 4, 4, None, 100, None],
        "step": [0, 1, 1, 2, 2, 2, 3, 3, 0, 5, 1],
    }
)


def test_tree_depths_and_parents() -> None:
    tree = cascade_tree(POSTS, 1, "step", level="post")
    assert tree.post_id.tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert tree.parent.tolist() == [-1, 0, 0, 1, 2, 0, 3, 3]
    assert tree.depth.tolist() == [0, 1, 1, 2, 2, 1, 3, 3]


def test_user_tree_hangs_each_user_under_whom_exposed_them() -> None:
    tree = cascade_tree(POSTS, 1, "step")
    assert tree.user_id.tolist() == [10, 11, 12, 13, 14, 15, 16]  # user 11's second share: no node
    assert tree.post_id.tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert tree.parent.tolist() == [-1, 0, 0, 1, 2, 0, 3]
    assert tree.depth.tolist() == [0, 1, 1, 2, 2, 1, 3]


def _shares(parents: list[int], users: list[int] | None = None) -> pd.DataFrame:
    """Root post 100 by user 0, then share i (post 100 + i) of the post ``100 + parents[i]``."""
    n = len(parents)
    return pd.DataFrame(
        {
            "post_id": np.arange(100, 100 + n),
            "user_id": users if users is not None else list(range(n)),
            "original_post_id": [None] + [100] * (n - 1),
            "parent_post_id": [None] + [100 + p for p in parents[1:]],
            "step": np.arange(n),
        }
    )


@pytest.mark.parametrize(
    ("parents", "expected"),
    [
        ([-1, 0, 0, 0, 0, 0], (6, 1, 5)),  # a star: everyone straight under the root
        ([-1, 0, 1, 2, 3], (5, 4, 1)),  # a chain
        ([-1, 0, 0, 0, 1, 1, 4, 2], (8, 3, 3)),  # mixed: levels of 3, 3 and 1 users
    ],
    ids=["star", "chain", "mixed"],
)
def test_hand_built_trees(parents: list[int], expected: tuple[int, int, int]) -> None:
    for level in ("user", "post"):
        final = cascade_metrics(cascade_tree(_shares(parents), 100, "step", level)).iloc[-1]
        assert (final["scale"], final["depth"], final["max_breadth"]) == expected


def test_a_user_sharing_twice_counts_once_at_the_first_share() -> None:
    # User 1 shares the root, then shares user 2's share again: one node, under the root.
    posts = _shares([-1, 0, 0, 2], users=[0, 1, 2, 1])
    user = cascade_metrics(cascade_tree(posts, 100, "step")).iloc[-1]
    post = cascade_metrics(cascade_tree(posts, 100, "step", "post")).iloc[-1]
    assert (user["scale"], user["depth"], user["max_breadth"]) == (3, 1, 2)
    assert (post["scale"], post["depth"], post["max_breadth"]) == (3, 2, 2)


def test_metrics_over_time_with_reposts_of_reposts_and_quotes() -> None:
    metrics = cascade_metrics(cascade_tree(POSTS, 1, "step"), np.arange(-1, 5))
    assert metrics["time"].tolist() == [-1, 0, 1, 2, 3, 4]
    assert metrics["scale"].tolist() == [0, 1, 3, 6, 7, 7]  # user 11 counted once
    assert metrics["depth"].tolist() == [0, 0, 1, 2, 3, 3]
    assert metrics["max_breadth"].tolist() == [0, 0, 2, 3, 3, 3]


def test_input_order_does_not_matter() -> None:
    shuffled = POSTS.sample(frac=1.0, random_state=3)
    expected = cascade_metrics(cascade_tree(POSTS, 1, "step"))
    pd.testing.assert_frame_equal(cascade_metrics(cascade_tree(shuffled, 1, "step")), expected)


def test_without_parent_links_reposts_hang_off_the_root() -> None:
    tree = cascade_tree(POSTS.drop(columns=["parent_post_id"]), 1, "step", "post")
    assert tree.depth.tolist() == [0, 1, 1, 1, 1, 1, 1, 1]
    final = cascade_metrics(tree).iloc[-1]
    assert (final["scale"], final["depth"], final["max_breadth"]) == (7, 1, 7)
    users = cascade_metrics(cascade_tree(POSTS.drop(columns=["parent_post_id"]), 1, "step"))
    assert users.iloc[-1][["scale", "depth", "max_breadth"]].tolist() == [7, 1, 6]


def test_timestamps_work_as_time() -> None:
    posts = POSTS.assign(
        created_at=pd.Timestamp("2024-01-01") + pd.to_timedelta(POSTS["step"], unit="h")
    )
    metrics = cascade_metrics(cascade_tree(posts, 1))
    assert metrics["time"].iloc[-1] == pd.Timestamp("2024-01-01 03:00")
    assert metrics["depth"].tolist() == [0, 1, 2, 3]


def test_lone_post_and_several_roots() -> None:
    stacked = cascades_metrics(POSTS, roots=[1, 100, 200], time_column="step")
    final = stacked.groupby("root_post_id").last()
    assert final.loc[1, ["scale", "depth", "max_breadth"]].tolist() == [7, 3, 3]
    assert final.loc[100, ["scale", "depth", "max_breadth"]].tolist() == [2, 1, 1]
    assert final.loc[200, ["scale", "depth", "max_breadth"]].tolist() == [1, 0, 0]
    assert sorted(cascades_metrics(POSTS, time_column="step")["root_post_id"].unique()) == [1, 100]


def test_shared_buckets_and_csv(tmp_path) -> None:
    stacked = cascades_metrics(POSTS, time_column="step", times=np.arange(6))
    assert len(stacked) == 12
    path = write_metrics_csv(stacked, tmp_path / "c.csv")
    back = pd.read_csv(path)
    assert back.columns.tolist() == ["root_post_id", "time", "scale", "depth", "max_breadth"]
    assert back[back["root_post_id"] == 100]["scale"].tolist() == [1, 1, 1, 1, 1, 2]


def test_long_chain_has_no_recursion_limit() -> None:
    n = 5000
    chain = pd.DataFrame(
        {
            "post_id": np.arange(n),
            "user_id": np.arange(n),
            "original_post_id": [None] + [0] * (n - 1),
            "parent_post_id": [None, *range(n - 1)],
            "step": np.arange(n),
        }
    )
    final = cascade_metrics(cascade_tree(chain, 0, "step")).iloc[-1]
    assert (final["scale"], final["depth"], final["max_breadth"]) == (n, n - 1, 1)


def test_bad_trees_are_rejected() -> None:
    with pytest.raises(ValueError, match="post 999 not found"):
        cascade_tree(POSTS, 999, "step")
    orphan = POSTS.copy()
    orphan.loc[orphan["post_id"] == 6, "parent_post_id"] = 101
    with pytest.raises(ValueError, match="post 6 has a parent outside the cascade of 1"):
        cascade_tree(orphan, 1, "step")
    early = POSTS.copy()
    early.loc[early["post_id"] == 4, "step"] = 0
    with pytest.raises(ValueError, match="post 4 is older"):
        cascade_tree(early, 1, "step")


@st.composite
def random_trees(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    n = draw(st.integers(1, 60))
    parents = [-1] + [draw(st.integers(0, i - 1)) for i in range(1, n)]
    users = [draw(st.integers(0, 15)) for _ in range(n)]
    return parents, users


@settings(max_examples=60, deadline=None)
@given(random_trees())
def test_matches_brute_force(tree_spec: tuple[list[int], list[int]]) -> None:
    parents, users = tree_spec
    n = len(parents)
    posts = pd.DataFrame(
        {
            "post_id": np.arange(100, 100 + n),
            "user_id": users,
            "original_post_id": [None] + [100] * (n - 1),
            "parent_post_id": [None] + [100 + p for p in parents[1:]],
            "step": np.arange(n),
        }
    )

    def depth(i: int) -> int:
        return 0 if parents[i] < 0 else 1 + depth(parents[i])

    depths = [depth(i) for i in range(n)]
    final = cascade_metrics(cascade_tree(posts, 100, "step", "post")).iloc[-1]
    assert final["scale"] == len(set(users))
    assert final["depth"] == max(depths)
    below = [d for d in depths if d > 0]
    assert final["max_breadth"] == max((below.count(d) for d in set(below)), default=0)


@settings(max_examples=60, deadline=None)
@given(random_trees())
def test_user_tree_matches_brute_force(tree_spec: tuple[list[int], list[int]]) -> None:
    parents, users = tree_spec
    posts = _shares(parents, users)
    # Brute force: a user's node is their first post; its parent is the first post's parent's
    # author (the root's author when that is the user themselves).
    first: dict[int, int] = {}
    for i, u in enumerate(users):
        first.setdefault(u, i)
    parent_user = {
        u: (users[parents[i]] if i and users[parents[i]] != u else users[0])
        for u, i in first.items()
    }

    def depth(u: int) -> int:
        return 0 if u == users[0] else 1 + depth(parent_user[u])

    depths = [depth(u) for u in first]
    final = cascade_metrics(cascade_tree(posts, 100, "step")).iloc[-1]
    assert final["scale"] == len(first)
    assert final["depth"] == max(depths)
    below = [d for d in depths if d > 0]
    assert final["max_breadth"] == max((below.count(d) for d in set(below)), default=0)
