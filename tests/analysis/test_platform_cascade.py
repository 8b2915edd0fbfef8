"""Cascade metrics over a posts table that the real platform wrote."""

import numpy as np
import pandas as pd
import pytest

from oasis.analysis import cascade_metrics, cascade_tree
from oasis.core.actions import Action, ActionType
from oasis.platform import Platform
from oasis.platform.schema import Post


@pytest.fixture
def platform(db_url: str):
    db = Platform.open(db_url)
    users = pd.DataFrame(
        {"user_id": range(8), "user_name": [f"u{i}" for i in range(8)], "name": "n", "bio": ""}
    )
    # 3 follows only 1; 4 follows 2 and the root's author 0; 5 follows 1; 6 follows 5.
    follows = np.array([[3, 1], [4, 2], [4, 0], [5, 1], [6, 5]], dtype=np.int64)
    db.load_population(users, follows)
    yield db
    db.close()


def _do(platform: Platform, step: int, *actions: Action) -> list[int]:
    results = platform.apply(step, list(actions))
    assert all(r.ok for r in results), results
    return [int(r.data["post_id"]) for r in results]


def _shares_of_shares_and_quotes(platform: Platform) -> tuple[pd.DataFrame, int, int, int]:
    """A root, a repost and a quote of it, shares of those, a quote of a repost; the posts."""
    (root,) = _do(platform, 1, Action(0, ActionType.CREATE_POST, {"content": "news"}))
    repost, quote = _do(
        platform,
        2,
        Action(1, ActionType.REPOST, {"post_id": root}),
        Action(2, ActionType.QUOTE_POST, {"post_id": root, "quote_content": "wow"}),
    )
    deeper = _do(
        platform,
        3,
        Action(3, ActionType.REPOST, {"post_id": repost}),
        Action(4, ActionType.REPOST, {"post_id": quote}),
        Action(5, ActionType.QUOTE_POST, {"post_id": repost, "quote_content": "hm"}),
    )
    _do(platform, 4, Action(6, ActionType.REPOST, {"post_id": deeper[2]}))
    with platform.reader() as reader:
        posts = reader.table(Post)
    assert (posts.loc[posts["post_id"] == deeper[0], "original_post_id"] == root).all()
    return posts, root, quote, deeper[2]


def _parent_users(tree) -> dict[int, int]:
    return dict(zip(tree.user_id[1:], tree.user_id[tree.parent[1:]], strict=True))


def test_quotes_join_the_root_cascade_as_shares_and_root_their_own(platform: Platform) -> None:
    posts, root, quote, second_quote = _shares_of_shares_and_quotes(platform)
    # The root's tree: 1 and the quoter 2 under the root; 3 and the quoter 5 under 1, whose
    # share alone reached them. 4 and 6 reposted quotes: they shared those, not the root.
    tree = cascade_tree(posts, root, "created_step")
    assert _parent_users(tree) == {1: 0, 2: 0, 3: 1, 5: 1}
    metrics = cascade_metrics(tree, np.arange(1, 5))
    assert metrics["scale"].tolist() == [1, 3, 5, 5]
    assert metrics["depth"].tolist() == [0, 1, 2, 2]
    assert metrics["max_breadth"].tolist() == [0, 2, 2, 2]
    # Each quote roots a cascade of its own reposts.
    assert _parent_users(cascade_tree(posts, quote, "created_step")) == {4: 2}
    own = cascade_metrics(cascade_tree(posts, second_quote, "created_step"), np.arange(1, 5))
    assert own["scale"].tolist() == [0, 0, 1, 2]
    shares = posts.set_index("post_id")["num_shares"]
    assert (shares[root], shares[quote], shares[second_quote]) == (4, 1, 1)


def test_reddit_post_trees_count_quotes_as_shares_too(platform: Platform) -> None:
    posts, root, quote, second_quote = _shares_of_shares_and_quotes(platform)
    tree = cascade_tree(posts, root, "created_step", level="post")
    parent_post = dict(zip(tree.post_id[1:], tree.post_id[tree.parent[1:]], strict=True))
    repost = root + 1
    assert parent_post == {repost: root, quote: root, repost + 2: repost, second_quote: repost}
    assert cascade_tree(posts, quote, "created_step", level="post").size == 2
    assert cascade_tree(posts, second_quote, "created_step", level="post").size == 2
