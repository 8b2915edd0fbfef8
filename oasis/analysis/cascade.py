"""Cascade metrics of a post over time: scale, depth and max breadth of its share tree.

Input is the posts table as columns: ``post_id``, ``user_id``, ``original_post_id`` (the post a
repost shares or a quote quotes, null for posts), ``parent_post_id`` (the post the share descends
from: the platform records the latest earlier adoption by one of the sharer's followees, else
the root, as Goel et al. 2016 infer retweet trees) and a time column (``created_at`` or
``step``). Without ``parent_post_id`` every share hangs off the
root, so depth is at most 1.

A quote counts as a share of the post it quotes, so its author joins that post's tree like a
reposter; it is also a post of its own, the root of the tree of its own reposts and quotes.

Two views of the same shares (``level``):

- ``"user"`` (X/Twitter, OASIS's definition): a tree of users. The root's author is the root;
  each other user joins at their first share of the root, under the author of the post they
  shared (the followee from whom the share descends).
- ``"post"`` (Reddit): a tree of posts, each share under the post it shared.

Definitions, for the tree as it stands at time t:

- scale: distinct users in the cascade (the root's author and everyone who shared it);
- depth: longest path from the root (the root alone has depth 0);
- max breadth: the most nodes on one level below the root (the root alone has breadth 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from oasis.core.arrays import distinct

METRIC_COLUMNS = ("time", "scale", "depth", "max_breadth")
Level = Literal["user", "post"]


@dataclass(frozen=True, slots=True)
class CascadeTree:
    """One post's share tree, nodes in creation order with the root first.

    Attributes:
        root_post_id: The root post.
        post_id: Post id of each node (in the user view, the user's first share).
        user_id: Author of each node (each user once in the user view).
        time: Creation time of each node (non-decreasing).
        parent: Index of each node's parent node; -1 for the root.
        depth: Repost hops from the root.
    """

    root_post_id: int
    post_id: np.ndarray
    user_id: np.ndarray
    time: np.ndarray
    parent: np.ndarray
    depth: np.ndarray

    @property
    def size(self) -> int:
        """Number of posts in the tree, root included."""
        return len(self.post_id)


def cascade_tree(
    posts: pd.DataFrame,
    root_post_id: int,
    time_column: str = "created_at",
    level: Level = "user",
) -> CascadeTree:
    """Build the share tree of one root post in O(n).

    Args:
        posts: The posts table (see the module docstring for its columns).
        root_post_id: The root post.
        time_column: The column giving creation time or step.
        level: ``"user"`` (a tree of users, as on X) or ``"post"`` (a tree of posts).

    Returns:
        The tree.

    Raises:
        ValueError: The root is unknown, or a post's parent is not in the cascade or is newer
            than the post.
    """
    members = _members(posts, root_post_id, time_column)
    post_id = members["post_id"].to_numpy(np.int64)
    parent = pd.Index(post_id).get_indexer(_parent_ids(members, root_post_id))
    parent[0] = -1
    _check_parents(post_id, parent, root_post_id)
    user_id = members["user_id"].to_numpy(np.int64)
    time = members[time_column].to_numpy()
    if level == "user":
        keep, parent = _user_nodes(user_id, parent)
        post_id, user_id, time = post_id[keep], user_id[keep], time[keep]
    return CascadeTree(root_post_id, post_id, user_id, time, parent, _depths(parent))


def _user_nodes(user_id: np.ndarray, parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each user's first node, and its parent node: the first node of the parent's author.

    A user's first share precedes any share of theirs that others shared, so every parent
    author already has a node; a share of one's own share hangs under the root.
    """
    first = ~pd.Series(user_id).duplicated().to_numpy()
    keep = np.flatnonzero(first)
    node_of_user = pd.Series(np.arange(keep.size), index=user_id[keep])
    parent_user = user_id[np.maximum(parent[keep], 0)]
    user_parent = np.array(node_of_user.loc[parent_user], dtype=np.int64)
    user_parent[user_parent == np.arange(keep.size)] = 0
    user_parent[0] = -1
    return keep, user_parent


def _members(posts: pd.DataFrame, root: int, time_column: str) -> pd.DataFrame:
    is_root = posts["post_id"] == root
    if not is_root.any():
        raise ValueError(f"post {root} not found")
    members = posts[is_root | (posts["original_post_id"] == root)]
    order = np.lexsort(
        (members["post_id"].to_numpy(), members[time_column].to_numpy(), ~is_root[members.index])
    )
    return members.iloc[order]


def _parent_ids(members: pd.DataFrame, root: int) -> np.ndarray:
    if "parent_post_id" not in members.columns:
        return np.full(len(members), root, dtype=np.int64)
    return np.asarray(members["parent_post_id"].fillna(root), dtype=np.int64)


def _check_parents(post_id: np.ndarray, parent: np.ndarray, root: int) -> None:
    orphan = np.flatnonzero(parent[1:] < 0)
    if orphan.size:
        raise ValueError(
            f"post {post_id[orphan[0] + 1]} has a parent outside the cascade of {root}"
        )
    late = np.flatnonzero(parent[1:] >= np.arange(1, len(parent)))
    if late.size:
        raise ValueError(f"post {post_id[late[0] + 1]} is older than the post it reposts")


def _depths(parent: np.ndarray) -> np.ndarray:
    # Parents precede children, so one pass in creation order suffices: O(n), no recursion.
    depth = [0] * len(parent)
    parents = parent.tolist()
    for i in range(1, len(parents)):
        depth[i] = depth[parents[i]] + 1
    return np.array(depth, dtype=np.int64)


def cascade_metrics(tree: CascadeTree, times: np.ndarray | pd.Index | None = None) -> pd.DataFrame:
    """Scale, depth and max breadth of a tree at each of the given times.

    Args:
        tree: The repost tree.
        times: Bucket ends (steps or timestamps, same kind as the tree's times); each row
            describes the tree of posts created at or before that time. Default: each distinct
            creation time.

    Returns:
        Columns :data:`METRIC_COLUMNS`; zero before the root exists.
    """
    scale = np.cumsum(~pd.Series(tree.user_id).duplicated().to_numpy())
    depth = np.maximum.accumulate(tree.depth)
    level_count = pd.Series(tree.depth).groupby(tree.depth).cumcount().to_numpy() + 1
    breadth = np.maximum.accumulate(np.where(tree.depth > 0, level_count, 0))
    at = np.unique(tree.time) if times is None else np.asarray(times)
    last = np.searchsorted(tree.time, at, side="right") - 1
    exists = last >= 0
    pick = np.where(exists, last, 0)
    columns = {"scale": scale, "depth": depth, "max_breadth": breadth}
    values = {name: np.where(exists, column[pick], 0) for name, column in columns.items()}
    return pd.DataFrame({"time": at, **values})


def cascades_metrics(
    posts: pd.DataFrame,
    roots: list[int] | np.ndarray | None = None,
    time_column: str = "created_at",
    times: np.ndarray | pd.Index | None = None,
    level: Level = "user",
) -> pd.DataFrame:
    """Metrics over time for several root posts, stacked with a ``root_post_id`` column.

    Args:
        posts: The posts table.
        roots: Root posts; default every post that has been reposted or quoted.
        time_column: The column giving creation time or step.
        times: Bucket ends shared by all roots; default each root's own creation times.
        level: ``"user"`` or ``"post"`` trees (see the module docstring).

    Returns:
        Columns ``root_post_id`` then :data:`METRIC_COLUMNS`.
    """
    if roots is None:
        roots = distinct(posts["original_post_id"].dropna().to_numpy(np.int64))
    frames = [
        cascade_metrics(cascade_tree(posts, int(root), time_column, level), times).assign(
            root_post_id=int(root)
        )
        for root in roots
    ]
    empty = pd.DataFrame({"root_post_id": [], **{c: [] for c in METRIC_COLUMNS}})
    stacked = pd.concat(frames, ignore_index=True) if frames else empty
    return stacked[["root_post_id", *METRIC_COLUMNS]]


def write_metrics_csv(metrics: pd.DataFrame, path: str | Path) -> Path:
    """Write cascade metrics as CSV (no index) and return the path."""
    out = Path(path)
    metrics.to_csv(out, index=False)
    return out


def structural_virality(parent: np.ndarray) -> float:
    """Goel et al.'s structural virality of a tree: the mean distance between pairs of nodes.

    Goel, Anderson, Hofman and Watts, "The structural virality of online diffusion",
    Management Science 62(1) (2016): nu(T) = 1/(n(n-1)) sum_ij d_ij over the n nodes. On a
    tree it is the Wiener index (each edge lies on the paths between the s nodes below it and
    the n - s others: sum of s(n - s)) over the n(n-1)/2 pairs, computed in O(n).

    Args:
        parent: Each node's parent index, -1 for the root; parents precede their children
            (as in :class:`CascadeTree`).

    Returns:
        The mean pairwise distance; NaN for fewer than two nodes.
    """
    n = len(parent)
    if n < 2:
        return float("nan")
    parents = np.asarray(parent, np.int64).tolist()
    sizes = [1] * n  # each node's subtree size: children come after parents, so add backwards
    for child in range(n - 1, 0, -1):
        sizes[parents[child]] += sizes[child]
    subtree = np.array(sizes[1:], np.float64)
    return float(2.0 * np.sum(subtree * (n - subtree)) / (n * (n - 1)))
