"""Turning ranked candidates into feeds: exclusions, de-duplication, top-up when short.

Every recommender ranks candidate posts per user as an ``(m, width)`` matrix of PostTable rows
(best first, -1 where a source has no more); :func:`fill` filters them and widens the pool only
for the users left short.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from oasis.core.arrays import member
from oasis.recsys.ragged import csr_rows, ragged_ranges, sorted_unique
from oasis.recsys.shown import ShownStore
from oasis.recsys.tables import ActiveUsers, BoolArray, IntArray, PostTable, RecsysError

CandidateSource = Callable[[IntArray, int], IntArray]
"""``(rows of active users, width) -> (len(rows), width)`` PostTable rows, best first, -1 pad."""

_BITS = np.int64(31)
_LOW = np.int64((1 << 31) - 1)


def _pair_keys(rows: IntArray, values: IntArray) -> IntArray:
    if values.size and (values.min() < 0 or values.max() >= 1 << 31):
        raise RecsysError("ids must be in [0, 2**31)")
    keys: IntArray = (rows.astype(np.int64) << _BITS) | values.astype(np.int64)
    return keys


@dataclass(frozen=True, slots=True)
class Exclusions:
    """What each active user (by row) must not get: own posts, blocked authors, blocked posts.

    Blocked pairs are kept as sorted ``row << 31 | id`` keys for vectorised membership tests.
    """

    user_id: IntArray
    author_keys: IntArray
    post_keys: IntArray

    @classmethod
    def build(cls, users: ActiveUsers, shown: ShownStore | None) -> Exclusions:
        """Muted authors always; posts already shown when a shown store is given."""
        muted = _pair_keys(csr_rows(users.muted_indptr), users.muted_indices)
        seen = shown.pairs_for(users.user_id) if shown is not None else (muted[:0], muted[:0])
        return cls(users.user_id, sorted_unique(muted), sorted_unique(_pair_keys(*seen)))

    def with_authors(self, rows: IntArray, author_ids: IntArray) -> Exclusions:
        """Also blocks ``author_ids[j]`` for user row ``rows[j]``."""
        keys = sorted_unique(np.concatenate([self.author_keys, _pair_keys(rows, author_ids)]))
        return Exclusions(self.user_id, keys, self.post_keys)

    def keep(self, rows: IntArray, candidates: IntArray, posts: PostTable) -> BoolArray:
        """Boolean mask of the candidates that may be shown (first occurrence per row only)."""
        if candidates.shape[0] > 1 and candidates.strides[0] == 0:  # one row, broadcast
            return self._keep_shared(rows, candidates[0], posts)
        valid = candidates >= 0
        safe = np.where(valid, candidates, 0)
        authors = posts.author_id[safe]
        row_col = rows[:, None]
        ok: BoolArray = valid & (authors != self.user_id[rows][:, None])
        ok &= ~member(self.author_keys, _pair_keys(row_col, authors))
        ok &= ~member(self.post_keys, _pair_keys(row_col, posts.post_id[safe]))
        ok &= _first_occurrence(candidates)
        return ok

    def _keep_shared(self, rows: IntArray, pool: IntArray, posts: PostTable) -> BoolArray:
        # Every row has the same candidates (a global ranking): walking the blocked pairs
        # costs O(pairs), where looking up every (row, candidate) would cost O(rows x pool).
        valid = pool >= 0
        safe = np.where(valid, pool, 0)
        authors, ids = posts.author_id[safe], posts.post_id[safe]
        ok: BoolArray = valid & (authors[None, :] != self.user_id[rows][:, None])
        row_pos = np.full(self.user_id.size, -1, dtype=np.int64)
        row_pos[rows] = np.arange(rows.size)
        ok &= ~_shared_hits(self.author_keys, row_pos, authors)
        ok &= ~_shared_hits(self.post_keys, row_pos, ids)
        ok &= _first_occurrence(pool[None, :])
        return ok


def _shared_hits(keys: IntArray, row_pos: IntArray, values: IntArray) -> BoolArray:
    """``hits[row_pos[r], j]``: whether ``(r, values[j])`` is among the ``keys``."""
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    key_values, pos = keys & _LOW, row_pos[keys >> _BITS]
    lo = np.searchsorted(ranked, key_values, side="left")
    counts = np.where(pos >= 0, np.searchsorted(ranked, key_values, side="right") - lo, 0)
    hits = np.zeros((int(row_pos.max(initial=-1)) + 1, values.size), dtype=bool)
    hits[np.repeat(pos, counts), order[ragged_ranges(lo, counts)]] = True
    return hits


def _first_occurrence(candidates: IntArray) -> BoolArray:
    order = np.argsort(candidates, axis=1, kind="stable")
    ranked = np.take_along_axis(candidates, order, axis=1)
    repeated = np.zeros(candidates.shape, dtype=bool)
    repeated[:, 1:] = ranked[:, 1:] == ranked[:, :-1]
    first = np.empty_like(repeated)
    np.put_along_axis(first, order, ~repeated, axis=1)
    return first


def take_first(candidates: IntArray, keep: BoolArray, limit: IntArray, width: int) -> IntArray:
    """The first ``limit[i]`` kept candidates of each row, as an ``(m, width)`` -1 padded matrix."""
    rank = np.cumsum(keep, axis=1) - 1
    chosen = keep & (rank < limit[:, None])
    out = np.full((candidates.shape[0], width), -1, dtype=np.int64)
    row, col = np.nonzero(chosen)
    out[row, rank[row, col]] = candidates[row, col]
    return out


def fill(
    source: CandidateSource,
    posts: PostTable,
    exclusions: Exclusions,
    limit: IntArray,
    start_width: int,
) -> IntArray:
    """Up to ``limit[i]`` allowed PostTable rows per user, best first, ``(n, max limit)`` padded.

    Users left short get a pool four times wider, until their source runs out (returns -1) or
    the pool covers every post.
    """
    width_out = int(limit.max(initial=0))
    out = np.full((limit.size, width_out), -1, dtype=np.int64)
    todo = np.flatnonzero(limit > 0)
    width = min(start_width, len(posts))
    while todo.size and width > 0:
        candidates = source(todo, width)
        keep = exclusions.keep(todo, candidates, posts)
        got = take_first(candidates, keep, limit[todo], width_out)
        out[todo] = got
        short = ((got >= 0).sum(axis=1) < limit[todo]) & (candidates >= 0).all(axis=1)
        if width >= len(posts):
            break
        todo, width = todo[short], min(4 * width, len(posts))
    return out


def to_post_ids(posts: PostTable, rows: IntArray) -> IntArray:
    """Maps a -1 padded matrix of PostTable rows to post ids (keeping the -1 padding)."""
    out = np.full(rows.shape, -1, dtype=np.int64)
    found = rows >= 0
    out[found] = posts.post_id[rows[found]]
    return out
