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


def test_reposts_of_reposts_and_quotes_from_the_platform(platform: Platform) -> None:
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
    # Users: 1, 2 and 4 (who follows the root's author) under the root; 3 and 5 under 1, whose
    # share alone reached them; 6 under 5.
    tree = cascade_tree(posts, root, "created_step")
    parent_user = dict(zip(tree.user_id[1:], tree.user_id[tree.parent[1:]], strict=True))
    assert parent_user == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1, 6: 5}
    metrics = cascade_metrics(tree, np.arange(1, 5))
    assert metrics["scale"].tolist() == [1, 3, 6, 7]
    assert metrics["depth"].tolist() == [0, 1, 2, 3]
    assert metrics["max_breadth"].tolist() == [0, 2, 3, 3]
