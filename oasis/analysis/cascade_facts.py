"""Facts about the large cascades of a run: size, shape and speed of each user-level tree.

For every post whose user-level share tree (see :mod:`oasis.analysis.cascade`) reached
``min_users`` users: its scale, depth and max breadth, its structural virality (Goel, Anderson,
Hofman and Watts, Management Science 2016: the mean distance between two users of the tree) and
the minutes from the root post until the tree held 50% and 90% of its final users, the figures
by which real retweet cascades are compared (Goel et al. 2016; Vosoughi, Roy and Aral,
"The spread of true and false news online", Science 2018). The trees themselves come with
them, one row per user, so that every fact can be checked against its tree.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from oasis.analysis.cascade import CascadeTree, cascade_tree, structural_virality

FACT_COLUMNS = (
    "root_post_id", "scale", "depth", "max_breadth", "structural_virality",
    "minutes_to_half", "minutes_to_90",
)  # fmt: skip
TREE_COLUMNS = ("root_post_id", "node", "user_id", "post_id", "parent", "depth", "minute")


def cascade_facts(
    posts: pd.DataFrame, min_users: int, time_column: str = "minute"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The facts and user-level trees of every cascade that reached ``min_users`` users.

    Args:
        posts: The posts table (columns of :mod:`oasis.analysis.cascade`) with ``time_column``
            in minutes.
        min_users: The least scale (users, the root's author included) a cascade must reach.
        time_column: The column giving each post's creation minute.

    Returns:
        Columns :data:`FACT_COLUMNS`, one row per cascade by root post id; and the trees,
        columns :data:`TREE_COLUMNS`, one row per user (``node`` its index in its tree,
        ``parent`` the parent's node, -1 for the root).
    """
    facts, trees = [], []
    for root, members in _large_cascades(posts, min_users):
        tree = cascade_tree(members, root, time_column)
        if tree.size >= min_users:
            facts.append(_facts(tree))
            trees.append(_rows(tree))
    fact_table = pd.DataFrame(facts, columns=list(FACT_COLUMNS))
    empty = pd.DataFrame({c: pd.Series(dtype=np.float64) for c in TREE_COLUMNS})
    return fact_table, pd.concat(trees, ignore_index=True) if trees else empty


def _large_cascades(posts: pd.DataFrame, min_users: int) -> list[tuple[int, pd.DataFrame]]:
    """Each root shared by at least ``min_users - 1`` users, with its own rows only."""
    by_original = posts.groupby("original_post_id")
    sharers = by_original["user_id"].nunique()
    roots = np.sort(sharers.index[sharers >= min_users - 1].to_numpy(np.int64))
    by_root = {int(k): v for k, v in by_original.indices.items()}
    row_of = pd.Series(np.arange(len(posts)), index=posts["post_id"].to_numpy())
    return [
        (int(root), posts.iloc[np.concatenate([[row_of[root]], by_root[root]])])
        for root in roots
        if root in row_of.index
    ]


def _facts(tree: CascadeTree) -> dict[str, float]:
    depth = tree.depth
    levels = np.bincount(depth)[1:]
    elapsed = tree.time - tree.time[0]
    return {
        "root_post_id": tree.root_post_id,
        "scale": tree.size,
        "depth": int(depth.max()),
        "max_breadth": int(levels.max(initial=0)),
        "structural_virality": structural_virality(tree.parent),
        "minutes_to_half": float(elapsed[math.ceil(0.5 * tree.size) - 1]),
        "minutes_to_90": float(elapsed[math.ceil(0.9 * tree.size) - 1]),
    }


def _rows(tree: CascadeTree) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "root_post_id": tree.root_post_id,
            "node": np.arange(tree.size),
            "user_id": tree.user_id,
            "post_id": tree.post_id,
            "parent": tree.parent,
            "depth": tree.depth,
            "minute": tree.time.astype(np.float64),
        }
    )
