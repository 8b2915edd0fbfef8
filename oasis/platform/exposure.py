"""Which earlier adoption a share descends from: time-inferred diffusion, as the studies infer it.

Twitter's data name only a retweet's original, so the studies whose cascades OASIS's are
compared with reconstruct each retweet's parent from the follow graph and the times: the parent
is the most recent of the retweeter's followees who adopted the post (shared it, or posted it)
before them; a retweeter who follows none of the earlier adopters is attached to the original
(Goel, Anderson, Hofman and Watts, "The Structural Virality of Online Diffusion", Management
Science 62:180, 2016; Vosoughi, Roy and Aral, "The spread of true and false news online",
Science 359:1146, 2018, who build their cascades the same way, after Goel et al.). The
platform records a share's ``parent_post_id`` by that rule, so its trees are built as theirs
were. The original's author counts as an adopter at the post's time; as the first adopter they
are the parent only when no followee shared before, which the fallback to the original gives.
Actions of one step are simultaneous: only adoptions of earlier steps precede a share.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select, true

from oasis.platform.bulk import pair_source
from oasis.platform.overlay import Pair
from oasis.platform.schema import Follow, Post


def time_inferred_parents(
    shares: pd.DataFrame, adoptions: pd.DataFrame, follows: pd.DataFrame
) -> np.ndarray:
    """Each share's parent post: its sharer's followees' latest earlier adoption, else the root.

    Args:
        shares: One row per share: ``user_id``, ``root_id`` (the original it shares) and
            ``time``.
        adoptions: Earlier adoptions: ``user_id``, ``root_id``, ``post_id`` (the adopting
            post) and ``time``.
        follows: ``follower_id`` follows ``followee_id``.

    Returns:
        Per share, in order, the ``post_id`` of the latest adoption of its root by a followee
        of its sharer strictly before the share (ties: the higher post id), else its
        ``root_id``.
    """
    parent: np.ndarray = shares["root_id"].to_numpy(np.int64).copy()
    if not len(shares) or not len(adoptions) or not len(follows):
        return parent
    left = pd.DataFrame(
        {
            "share": np.arange(len(shares)),
            "follower_id": shares["user_id"].to_numpy(np.int64),
            "root_id": shares["root_id"].to_numpy(np.int64),
            "share_time": shares["time"].to_numpy(np.float64),
        }
    )
    via = left.merge(follows[["follower_id", "followee_id"]], on="follower_id")
    found = via.merge(
        adoptions[["user_id", "root_id", "post_id", "time"]],
        left_on=["followee_id", "root_id"],
        right_on=["user_id", "root_id"],
    )
    found = found[found["time"].to_numpy() < found["share_time"].to_numpy()]
    latest = found.sort_values(["share", "time", "post_id"]).drop_duplicates("share", keep="last")
    parent[latest["share"].to_numpy()] = latest["post_id"].to_numpy(np.int64)
    return parent


def share_parents(
    conn: Connection, step: int, now: float, shares: Sequence[Pair]
) -> dict[Pair, int]:
    """Each (sharer, root) share's parent post at ``step``, by :func:`time_inferred_parents`.

    One query reads only the candidates: adoptions of the shared roots, in earlier steps, by
    the sharers' followees, reached through the follow table's key and then each (root,
    followee)'s posts. Both databases would rather go through the root's posts: a viral root's
    every share then reads all its earlier shares (SQLite: 15 times slower at 200,000 users'
    step 7; PostgreSQL: 1-2 s a step at 500,000 users, most of the step's apply). SQLite is
    kept from it by ``+ 0``, which hides that index; PostgreSQL by a lateral subquery behind
    ``OFFSET 0``, which it cannot flatten into the join, so it looks each pair up in
    ``ix_post_original``.
    """
    if not shares:
        return {}
    wanted = pair_source(conn, shares)
    columns = (Post.user_id, Post.original_post_id, Post.post_id, Post.created_at)
    if conn.dialect.name == "sqlite":
        query = (
            select(wanted.c.a, *columns)
            .join_from(wanted, Follow, Follow.follower_id == wanted.c.a)
            .join(
                Post,
                (Post.original_post_id + 0 == wanted.c.b)
                & (Post.user_id == Follow.followee_id)
                & (Post.created_step < step),
            )
        )
    else:
        adopted = (
            select(*columns)
            .where(
                Post.original_post_id == wanted.c.b,
                Post.user_id == Follow.followee_id,
                Post.created_step < step,
            )
            .offset(0)
            .lateral()
        )
        query = (
            select(wanted.c.a, *adopted.c)
            .join_from(wanted, Follow, Follow.follower_id == wanted.c.a)
            .join(adopted, true())
        )
    rows = conn.execute(query).all()
    found = pd.DataFrame(rows, columns=["follower_id", "user_id", "root_id", "post_id", "time"])
    follows = found[["follower_id", "user_id"]].rename(columns={"user_id": "followee_id"})
    table = pd.DataFrame(shares, columns=["user_id", "root_id"]).assign(time=now)
    adoptions = found.drop(columns="follower_id").drop_duplicates()
    parents = time_inferred_parents(table, adoptions, follows.drop_duplicates())
    return dict(zip(shares, parents.tolist(), strict=True))
