"""What a reader has already done to the entries of their feed, read in bulk per relation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection

from oasis.platform.bulk import present_pairs
from oasis.platform.schema import CommentDislike, CommentLike, Dislike, Follow, Like, Post

# A repost is a post by the user whose root is the post; quotes may repeat, so they do not count.
_REPOST = (Post.user_id, Post.original_post_id, Post.quote_content.is_(None))


def entry_state(
    conn: Connection,
    readers: np.ndarray,
    originals: np.ndarray,
    authors: np.ndarray,
    comments: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per feed entry: what its reader already did to it.

    Flags ``liked``, ``disliked`` and ``reposted`` (the original), ``followed`` (its author) and
    ``comment_voted`` (its top comment, ``comments``; -1 for none). One query per relation
    over the distinct (reader, target) pairs; columns are aligned with the entries.
    """
    on_post = {
        "liked": (Like.user_id, Like.post_id),
        "disliked": (Dislike.user_id, Dislike.post_id),
    }
    state = {name: _present(conn, readers, originals, cols) for name, cols in on_post.items()}
    state["reposted"] = _present(conn, readers, originals, _REPOST)
    state["followed"] = _present(conn, readers, authors, (Follow.follower_id, Follow.followee_id))
    voted = [
        _present(conn, readers, comments, (CommentLike.user_id, CommentLike.comment_id)),
        _present(conn, readers, comments, (CommentDislike.user_id, CommentDislike.comment_id)),
    ]
    state["comment_voted"] = (voted[0] | voted[1]) & (comments >= 0)
    return state


def _present(
    conn: Connection, left: np.ndarray, right: np.ndarray, columns: Sequence[Any]
) -> np.ndarray:
    valid = right >= 0
    keys = np.unique((left[valid].astype(np.int64) << 32) | right[valid].astype(np.int64))
    pairs = list(zip((keys >> 32).tolist(), (keys & 0xFFFFFFFF).tolist(), strict=True))
    found = present_pairs(conn, *columns[:2], pairs, *columns[2:])
    return np.fromiter(
        ((a, b) in found for a, b in zip(left.tolist(), right.tolist(), strict=True)),
        bool,
        len(left),
    )
