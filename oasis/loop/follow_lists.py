"""Whom each user follows, in memory: a CSR over the users plus the follows added and removed since.

A step reads the lists of its active users (and of the users who-to-follow samples) and changes a
few thousand follows; rebuilding ten million edges for that would cost more than the step, so the
changes are kept beside the CSR (sorted ``follower << 32 | followee`` keys) and folded into it
only when they grow past a share of it.
"""

from __future__ import annotations

import numpy as np

from oasis.core.arrays import distinct, member
from oasis.recsys.ragged import ragged_ranges

_INT = np.int64
_LOW = np.int64(0xFFFFFFFF)
REBUILD_SHARE = 0.05
"""Fold the kept changes into the CSR once they pass this share of its edges (no source: a
trade of one rebuild against longer reads; any value gives the same lists)."""


def _keys(pairs: np.ndarray) -> np.ndarray:
    return (pairs[:, 0].astype(_INT) << 32) | pairs[:, 1].astype(_INT)


class FollowLists:
    """The follow graph as CSR by follower, ids ascending in each row, with kept changes.

    Args:
        user_ids: Every user id, ascending (ids may have gaps).
        pairs: ``(m, 2)`` (follower, followee) rows, unique, in key order.
        rebuild_share: See :data:`REBUILD_SHARE`.
    """

    def __init__(
        self, user_ids: np.ndarray, pairs: np.ndarray, rebuild_share: float = REBUILD_SHARE
    ) -> None:
        self.rebuild_share = rebuild_share
        self._build(np.asarray(user_ids, _INT), np.asarray(pairs, _INT).reshape(-1, 2))

    def _build(self, user_ids: np.ndarray, pairs: np.ndarray) -> None:
        self.user_ids = user_ids
        rows = np.searchsorted(user_ids, pairs[:, 0])
        self.indptr = np.zeros(user_ids.size + 1, _INT)
        np.cumsum(np.bincount(rows, minlength=user_ids.size), out=self.indptr[1:])
        self.indices = pairs[:, 1].copy()
        self.added = np.zeros(0, _INT)  # keys of follows not in the CSR, sorted
        self.removed = np.zeros(0, _INT)  # keys of the CSR's follows that no longer stand

    def __len__(self) -> int:
        return int(self.indices.size + self.added.size - self.removed.size)

    def add_users(self, ids: np.ndarray) -> None:
        """Give new users (who follow nobody yet) a row."""
        ids = np.setdiff1d(np.asarray(ids, _INT), self.user_ids)
        if ids.size:
            at = np.searchsorted(self.user_ids, ids)
            self.user_ids = np.insert(self.user_ids, at, ids)
            self.indptr = np.insert(self.indptr, at + 1, self.indptr[at])

    def change(self, added: np.ndarray, removed: np.ndarray) -> None:
        """Apply a step's follows added and removed (``(m, 2)`` each, never both for a pair)."""
        gone, new = _keys(removed.reshape(-1, 2)), _keys(added.reshape(-1, 2))
        undone = member(self.added, gone)  # followed after the CSR was built: forget the add
        self.added = np.setdiff1d(self.added, gone[undone], assume_unique=True)
        back = member(self.removed, new)  # in the CSR, removed, followed again
        self.removed = np.setdiff1d(self.removed, new[back], assume_unique=True)
        self.added = distinct(np.concatenate([self.added, new[~back]]))
        self.removed = distinct(np.concatenate([self.removed, gone[~undone]]))
        if self.added.size + self.removed.size > self.rebuild_share * max(self.indices.size, 1):
            self.rebuild()

    def rebuild(self) -> None:
        """Fold the kept changes into the CSR."""
        self._build(self.user_ids, self.pairs())

    def pairs(self) -> np.ndarray:
        """Every standing follow as ``(m, 2)`` (follower, followee) rows in key order."""
        rows = np.repeat(self.user_ids, np.diff(self.indptr))
        keys = (rows << 32) | self.indices
        keys = np.setdiff1d(keys, self.removed, assume_unique=True)
        keys = distinct(np.concatenate([keys, self.added]))
        return np.stack([keys >> 32, keys & _LOW], axis=1)

    def contains(self, followers: np.ndarray, followees: np.ndarray) -> np.ndarray:
        """Whether each ``followers[i]`` follows ``followees[i]`` now."""
        followers, followees = np.asarray(followers, _INT), np.asarray(followees, _INT)
        keys = (followers << 32) | followees
        at = np.searchsorted(self.user_ids, followers).clip(0, max(self.user_ids.size - 1, 0))
        known = self.user_ids[at] == followers if self.user_ids.size else followers < 0
        lo = np.where(known, self.indptr[at], 0)
        end = np.where(known, self.indptr[at + 1], 0)
        hi, last = end.copy(), max(self.indices.size - 1, 0)
        while (open_ := lo < hi).any():  # each row's first followee not below the one asked
            mid = (lo + hi) >> 1
            less = open_ & (self.indices[np.minimum(mid, last)] < followees)
            lo, hi = np.where(less, mid + 1, lo), np.where(open_ & ~less, mid, hi)
        if not self.indices.size:  # nobody followed anyone when the graph was loaded
            return member(self.added, keys)
        held = (lo < end) & (self.indices[np.minimum(lo, last)] == followees)
        standing: np.ndarray = (held & ~member(self.removed, keys)) | member(self.added, keys)
        return standing

    def rows(self, user_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whom each of ``user_ids`` (may repeat; unknown ids follow nobody) follows, as CSR.

        Rows follow ``user_ids``; each row's ids ascend, as the platform's reader gives them.
        """
        ids = np.asarray(user_ids, _INT).reshape(-1)
        at = np.searchsorted(self.user_ids, ids).clip(0, max(self.user_ids.size - 1, 0))
        known = self.user_ids[at] == ids if self.user_ids.size else np.zeros(ids.size, bool)
        start = np.where(known, self.indptr[at], 0)
        count = np.where(known, self.indptr[at + 1] - start, 0)
        owner = np.repeat(np.arange(ids.size, dtype=_INT), count)
        followee = self.indices[ragged_ranges(start, count)]
        lo = np.searchsorted(self.added, ids << 32)
        extra = np.searchsorted(self.added, (ids + 1) << 32) - lo
        more = self.added[ragged_ranges(lo, extra)]
        owner = np.concatenate([owner, np.repeat(np.arange(ids.size, dtype=_INT), extra)])
        followee = np.concatenate([followee, more & _LOW])
        if self.removed.size:
            keep = ~member(self.removed, (ids[owner] << 32) | followee)
            owner, followee = owner[keep], followee[keep]
        order = np.argsort((owner << 32) | followee, kind="stable")
        indptr = np.zeros(ids.size + 1, _INT)
        np.cumsum(np.bincount(owner, minlength=ids.size), out=indptr[1:])
        return indptr, followee[order]
