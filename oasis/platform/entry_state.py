"""What a reader has already done to the entries of their feed, read in bulk per relation."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection

from oasis.core.arrays import distinct
from oasis.platform.batch import RELATIONS
from oasis.platform.bulk import present_keys

# Each flag: what it is about, and the relations (:data:`~oasis.platform.batch.RELATIONS`) that
# set it. A repost is a post by the user whose root is the post; quotes may repeat, so they are
# not reposts.
FLAG_RELATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "liked": ("original", ("like",)),
    "disliked": ("original", ("dislike",)),
    "reposted": ("original", ("repost",)),
    "followed": ("author", ("follow",)),
    "comment_voted": ("comment", ("comment_like", "comment_dislike")),
}
FLAGS = tuple(FLAG_RELATIONS)


def entry_state(
    conn: Connection,
    readers: np.ndarray,
    originals: np.ndarray,
    authors: np.ndarray,
    comments: np.ndarray,
    wanted: Collection[str] = FLAGS,
) -> dict[str, np.ndarray]:
    """Per feed entry: what its reader already did to it.

    Flags ``liked``, ``disliked`` and ``reposted`` (the original), ``followed`` (its author) and
    ``comment_voted`` (its top comment, ``comments``; -1 for none). One query per relation
    over the distinct (reader, target) pairs; columns are aligned with the entries. Flags not
    ``wanted`` (about actions the readers may not take) are not read and come back False.
    """
    targets = {"original": originals, "author": authors, "comment": comments}
    state = {}
    for name in FLAGS:
        target, relations = FLAG_RELATIONS[name]
        found = np.zeros(len(readers), bool)
        for relation in relations if name in wanted else ():
            found |= _present(conn, readers, targets[target], RELATIONS[relation])
        state[name] = found
    return state


def _present(
    conn: Connection, left: np.ndarray, right: np.ndarray, columns: Sequence[Any]
) -> np.ndarray:
    keys = (left.astype(np.int64) << 32) | np.maximum(right, 0).astype(np.int64)
    hits = present_keys(conn, *columns[:2], distinct(keys[right >= 0]), *columns[2:])
    return np.isin(keys, hits) & (right >= 0)
