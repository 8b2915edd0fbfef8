"""Who to follow: a short ranked list of accounts for each active user to follow.

Candidates come from three sources, as in Twitter's service (Gupta, Goel, Lin, Sharma, Wang
and Zadeh, "WTF: The Who to Follow Service at Twitter", WWW 2013, which draws most candidates
from the user's "circle of trust", the accounts close to it in the follow graph):

- friends of friends: up to ``fanout`` of the user's followees (all of them when it follows no
  more, else a uniform sample), and up to ``fanout`` followees of each of those (likewise, one
  sample per followee and step). At most ``fanout**2`` candidates per user, so a step costs
  O(active users x fanout**2) whatever the size of the graph;
- popularity: the ``pool`` most-followed users, which is all a user who follows nobody gets;
- interest: the same pool, ranked per user by the cosine of interest vectors.

Each candidate ``c`` of user ``u`` scores::

    friends_weight    * mutual(u, c) / sampled followees of u
  + popularity_weight * log1p(followers(c)) / log1p(most followers of anyone)
  + interest_weight   * cosine(interest(u), interest(c))

where ``mutual`` counts the sampled followees of ``u`` who follow ``c``. The friends of friends
are first cut to the ``rerank`` best by the first two terms, then re-ranked with interest. The
user itself, whom it follows and whom it muted are never suggested. The list holds at most
``k`` users, best first, ties broken by the lower user id.

The loop runs it in two halves around one bulk read: :func:`sample_followees` picks the first
hop; the platform reads the followees of the distinct users picked; :func:`who_to_follow`
ranks. Pure numpy: sort-based, never a hash table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

from oasis.core.arrays import member
from oasis.recsys.embedding import Matrix
from oasis.recsys.interest_store import InterestStore
from oasis.recsys.ragged import csr_rows
from oasis.recsys.settings import WhoToFollowSettings
from oasis.recsys.tables import ActiveUsers, BoolArray, FloatArray, IntArray, RecsysError

# The interest matmul is small (active users x dim, by dim x pool): on one BLAS thread. With
# OpenBLAS's default of one thread per core, its idle thread busy-waits after every call and
# held a second core for the whole step (measured on the project's 2-core machine: a 2,000-user
# heuristic run used 1.8 cores with it, 1.1 without, for the same step time), a core that the
# API process beside the run, or any other process, then had to take from it.
_BLAS = ThreadpoolController()

FRIENDS, INTEREST, POPULAR = 0, 1, 2
"""Why a user was suggested (``Suggestions.reason``): the source with the largest term."""
_CHUNK = 8192  # users whose candidate vectors are compared at once (bounds memory)


@dataclass(frozen=True, slots=True)
class FollowGraph:
    """What the ranking reads besides the active users' own lists.

    Attributes:
        hop_ids: The distinct users :func:`sample_followees` picked, ascending.
        hop_indptr: CSR offsets of their followees (row ``i`` belongs to ``hop_ids[i]``).
        hop_indices: Their followees' ids.
        user_ids: Every user, ascending.
        followers: Each user's follower count, aligned with ``user_ids``.
    """

    hop_ids: IntArray
    hop_indptr: IntArray
    hop_indices: IntArray
    user_ids: IntArray
    followers: IntArray

    def __post_init__(self) -> None:
        if self.hop_indptr.shape != (self.hop_ids.size + 1,) or self.user_ids.shape != (
            self.followers.shape
        ):
            raise RecsysError("FollowGraph columns are not aligned")


@dataclass(frozen=True, slots=True)
class Suggestions:
    """Each active user's suggestions as CSR: row ``i`` (``user_id[i]``) is best first.

    ``suggested``, ``followers`` (their follower counts), ``mutual`` (sampled followees of the
    user who follow them) and ``reason`` (:data:`FRIENDS`, :data:`INTEREST`, :data:`POPULAR`)
    are per entry.
    """

    user_id: IntArray
    indptr: IntArray
    suggested: IntArray
    followers: IntArray
    mutual: IntArray
    reason: IntArray

    def row(self, i: int) -> slice:
        """The entries of user row ``i``."""
        return slice(int(self.indptr[i]), int(self.indptr[i + 1]))

    def lists(self, rows: IntArray) -> tuple[IntArray, IntArray]:
        """The suggested ids of user rows ``rows`` as CSR ``(indptr, ids)``, in that order."""
        lengths = np.diff(self.indptr)[rows]
        indptr = np.zeros(rows.size + 1, np.int64)
        np.cumsum(lengths, out=indptr[1:])
        at = np.repeat(self.indptr[rows] - indptr[:-1], lengths) + np.arange(indptr[-1])
        return indptr, self.suggested[at]

    @classmethod
    def empty(cls, user_id: IntArray) -> Suggestions:
        """No suggestion for anyone (the list is switched off)."""
        none = np.zeros(0, np.int64)
        return cls(user_id, np.zeros(user_id.size + 1, np.int64), none, none, none, none)


def sample_followees(users: ActiveUsers, fanout: int, rng: np.random.Generator) -> IntArray:
    """Up to ``fanout`` followees per active user: ``(len(users), fanout)``, -1 padded."""
    rows = np.arange(len(users), dtype=np.int64)
    return sample_rows(users.followee_indptr, users.followee_indices, rows, fanout, rng)


def sample_rows(
    indptr: IntArray, indices: IntArray, rows: IntArray, width: int, rng: np.random.Generator
) -> IntArray:
    """Entries of CSR ``rows`` as a ``(len(rows), width)`` matrix, each row sorted, -1 padded.

    A row with at most ``width`` entries is taken whole; a longer one gets ``width`` uniform
    draws, repeats dropped (so a few fewer than ``width`` now and then).
    """
    start, degree = indptr[rows], indptr[rows + 1] - indptr[rows]
    draws = rng.random((rows.size, width))
    if not indices.size or not width:
        return np.full((rows.size, width), -1, np.int64)
    slot = np.arange(width, dtype=np.int64)
    big = (degree > width)[:, None]
    offset = np.where(big, (draws * degree[:, None]).astype(np.int64), slot)
    valid = big | (slot < degree[:, None])
    picked = np.where(valid, indices[np.where(valid, start[:, None] + offset, 0)], -1)
    picked.sort(axis=1)
    picked[:, 1:][picked[:, 1:] == picked[:, :-1]] = -1
    return picked


def who_to_follow(
    users: ActiveUsers,
    sampled: IntArray,
    graph: FollowGraph,
    interests: InterestStore,
    settings: WhoToFollowSettings,
    rng: np.random.Generator,
) -> Suggestions:
    """At most ``settings.k`` users to follow per active user, best first (module docstring)."""
    if not settings.k or not len(users):
        return Suggestions.empty(users.user_id)
    blocked = _blocked(users)
    followers = _follower_table(graph)
    popular = settings.popularity_weight * np.log1p(followers) / (np.log1p(followers.max()) or 1)
    fof, mutual = _friends_of_friends(users, sampled, graph, blocked, rng, settings.fanout)
    friends = mutual / np.maximum((sampled >= 0).sum(axis=1), 1)[:, None]
    base = np.where(fof >= 0, settings.friends_weight * friends + popular[fof], -np.inf)
    fof, mutual, base = _best(base, settings.rerank, fof, mutual)
    mine = interests.vectors(users.user_id)
    similarity = _similarity(interests, mine, fof)
    score = base + settings.interest_weight * similarity
    pool, pool_score, pool_sim = _pool(graph, interests, mine, blocked, settings, popular)
    pool_score[(pool[:, :, None] == fof[:, None, :]).any(axis=2)] = -np.inf
    ids = np.concatenate([fof, pool], axis=1)
    scores = np.concatenate([score, pool_score], axis=1)
    similarity = np.concatenate([similarity, pool_sim], axis=1)
    mutual = np.concatenate([mutual, np.zeros_like(pool)], axis=1)
    order = np.lexsort((ids, -scores), axis=1)[:, : settings.k]
    pick = np.take_along_axis
    ids, scores = pick(ids, order, 1), pick(scores, order, 1)
    return _suggestions(
        users.user_id, ids, scores > -np.inf, followers, pick(mutual, order, 1),
        settings.interest_weight * pick(similarity, order, 1) > popular[ids],
    )  # fmt: skip


def _keys(rows: IntArray, ids: IntArray) -> IntArray:
    """``row << 31 | id`` per pair: one int64 that sorts and compares fast."""
    return (rows.astype(np.int64, copy=False) << 31) | ids.astype(np.int64, copy=False)


def _blocked(users: ActiveUsers) -> IntArray:
    """Sorted keys of every (row, user) pair never to suggest: self, followees, muted."""
    rows = np.arange(len(users), dtype=np.int64)
    keys = np.concatenate(
        [
            _keys(rows, users.user_id),
            _keys(csr_rows(users.followee_indptr), users.followee_indices),
            _keys(csr_rows(users.muted_indptr), users.muted_indices),
        ]
    )
    return np.sort(keys)


def _allowed(blocked: IntArray, ids: IntArray) -> BoolArray:
    """Which entries of the ``(rows, width)`` matrix ``ids`` may be suggested to their row."""
    ok = ids >= 0
    rows = np.repeat(np.arange(ids.shape[0], dtype=np.int64), ok.sum(axis=1))
    ok[ok] = ~member(blocked, _keys(rows, ids[ok]))  # the valid entries' keys only
    return ok


def _friends_of_friends(
    users: ActiveUsers,
    sampled: IntArray,
    graph: FollowGraph,
    blocked: IntArray,
    rng: np.random.Generator,
    fanout: int,
) -> tuple[IntArray, IntArray]:
    """Distinct candidates per row (-1 where none) and how many sampled followees follow each."""
    hops = np.arange(graph.hop_ids.size, dtype=np.int64)
    second = sample_rows(graph.hop_indptr, graph.hop_indices, hops, fanout, rng)
    at = np.searchsorted(graph.hop_ids, sampled).clip(0, max(hops.size - 1, 0))
    known = (sampled >= 0) & (graph.hop_ids[at] == sampled if hops.size else False)
    fof = second[at] if hops.size else np.full((*sampled.shape, 1), -1, np.int64)
    fof[~known] = -1
    fof = np.sort(fof.reshape(len(users), -1), axis=1)
    starts = np.ones(fof.shape, bool)
    starts[:, 1:] = fof[:, 1:] != fof[:, :-1]
    first = np.flatnonzero(starts.ravel())
    mutual = np.zeros(fof.size, np.int64)
    mutual[first] = np.diff(np.append(first, fof.size))
    keep = starts & _allowed(blocked, np.where(starts, fof, -1))
    return np.where(keep, fof, -1), np.where(keep, mutual.reshape(fof.shape), 0)


def _follower_table(graph: FollowGraph) -> FloatArray:
    """Follower counts indexed by user id, with a last slot of 0 that id -1 reads.

    Ids are the database's, consecutive but for a few gaps, so the table costs 8 bytes per id
    and a look-up is one gather (a sorted search over a million ids took seconds per step).
    """
    table = np.zeros(int(graph.user_ids.max(initial=-1)) + 2)
    table[graph.user_ids] = graph.followers
    return table


def _best(
    score: FloatArray, width: int, *columns: IntArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """The ``width`` best entries of each row of ``columns`` and ``score`` (unordered)."""
    if score.shape[1] > width:
        top = np.argpartition(-score, width - 1, axis=1)[:, :width]
        score = np.take_along_axis(score, top, 1)
        columns = tuple(np.take_along_axis(c, top, 1) for c in columns)
    ids, mutual = columns
    return ids, mutual, score


def _similarity(interests: InterestStore, mine: Matrix, ids: IntArray) -> FloatArray:
    """Cosine of each row's user (``mine``: unit vectors by row) and each of its ``ids``."""
    out = np.zeros(ids.shape)
    for lo in range(0, len(ids), _CHUNK):
        part = ids[lo : lo + _CHUNK]
        theirs = interests.vectors(np.maximum(part, 0).ravel()).reshape(*part.shape, -1)
        out[lo : lo + _CHUNK] = np.einsum("ud,ucd->uc", mine[lo : lo + _CHUNK], theirs)
    return np.where(ids >= 0, out, 0.0)


def _pool(
    graph: FollowGraph,
    interests: InterestStore,
    mine: Matrix,
    blocked: IntArray,
    settings: WhoToFollowSettings,
    popular: FloatArray,
) -> tuple[IntArray, FloatArray, FloatArray]:
    """The best ``k`` of the most-followed users for each row: ids, scores, similarities.

    ``popular`` is the popularity term indexed by user id; ``mine`` the rows' unit vectors.
    """
    size = min(settings.pool, graph.user_ids.size)
    top = np.argpartition(-graph.followers, size - 1)[:size] if size else np.zeros(0, np.int64)
    pool = np.sort(graph.user_ids[top])
    with _BLAS.limit(limits=1, user_api="blas"):
        sim = (mine @ interests.vectors(pool).T).astype(np.float64)
    allowed = _pool_allowed(blocked, pool, len(mine))
    score = np.where(allowed, popular[pool] + settings.interest_weight * sim, -np.inf)
    # Ties by the lower id: the pool is in id order, so a stable sort of the scores gives it.
    order = np.argsort(-score, axis=1, kind="stable")[:, : settings.k]
    pick = np.take_along_axis
    chosen, score = pool[order], pick(score, order, 1)
    return np.where(score > -np.inf, chosen, -1), score, pick(sim, order, 1)


def _pool_allowed(blocked: IntArray, pool: IntArray, rows: int) -> BoolArray:
    """Which of the sorted ``pool`` each row may be suggested: a pass over the blocked pairs.

    Cheaper than testing every (row, pool member) pair: a tiny sorted search per blocked pair.
    """
    allowed = np.ones((rows, pool.size), bool)
    ids = blocked & np.int64((1 << 31) - 1)
    at = np.searchsorted(pool, ids).clip(0, max(pool.size - 1, 0))
    hit = pool[at] == ids if pool.size else np.zeros(ids.size, bool)
    allowed[blocked[hit] >> 31, at[hit]] = False
    return allowed


def _suggestions(
    user_id: IntArray,
    ids: IntArray,
    keep: BoolArray,
    followers: FloatArray,
    mutual: IntArray,
    by_interest: BoolArray,
) -> Suggestions:
    """The kept entries of the ranked ``(users, k)`` matrices as :class:`Suggestions`.

    ``followers`` is indexed by user id; ``by_interest`` marks entries whose interest term
    outweighs their popularity term.
    """
    indptr = np.zeros(user_id.size + 1, np.int64)
    np.cumsum(keep.sum(axis=1), out=indptr[1:])
    reason = np.where(mutual > 0, FRIENDS, np.where(by_interest, INTEREST, POPULAR))
    return Suggestions(
        user_id, indptr, ids[keep], followers[ids][keep].astype(np.int64), mutual[keep],
        reason[keep],
    )  # fmt: skip
