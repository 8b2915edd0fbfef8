"""The ``twitter`` recommender: the paper's mix of in-network and out-of-network posts."""

from __future__ import annotations

import numpy as np

from oasis.recsys.interest import retrieve
from oasis.recsys.recommender import exclusions
from oasis.recsys.scoring import follower_factor, popularity, recency_decay
from oasis.recsys.selection import CandidateSource, csr_rows, fill, take_first, to_post_ids
from oasis.recsys.settings import RecsysSettings
from oasis.recsys.shown import ragged_ranges
from oasis.recsys.state import RecsysState
from oasis.recsys.tables import ActiveUsers, Feeds, FloatArray, IntArray, PostTable


def followee_posts(
    posts: PostTable, users: ActiveUsers, score: FloatArray
) -> tuple[IntArray, IntArray]:
    """``(user row, PostTable row)`` of every followee post, by row then best score first."""
    by_author = np.lexsort((posts.post_id, -score, posts.author_id))
    authors = posts.author_id[by_author]
    lo = np.searchsorted(authors, users.followee_indices, side="left")
    counts = np.searchsorted(authors, users.followee_indices, side="right") - lo
    rows = np.repeat(csr_rows(users.followee_indptr), counts)
    post_rows = by_author[ragged_ranges(lo, counts)]
    order = np.lexsort((posts.post_id[post_rows], -score[post_rows], rows))
    return rows[order], post_rows[order]


def grouped_source(rows: IntArray, values: IntArray, n_users: int) -> CandidateSource:
    """A candidate source over ``values`` grouped by sorted ``rows`` (each group best first)."""
    starts = np.searchsorted(rows, np.arange(n_users))
    sizes = np.searchsorted(rows, np.arange(n_users), side="right") - starts

    def source(wanted: IntArray, width: int) -> IntArray:
        counts = np.minimum(sizes[wanted], width)
        out = np.full((wanted.size, width), -1, dtype=np.int64)
        at = np.repeat(np.arange(wanted.size), counts)
        out[at, ragged_ranges(np.zeros_like(counts), counts)] = values[
            ragged_ranges(starts[wanted], counts)
        ]
        return out

    return source


class TwitterRecommender:
    """In-network then out-of-network, ``in_network_share`` of ``k`` going to the first.

    In-network: posts of followees ranked by ``(1 + likes + shares) * recency``. Out-of-network
    (authors the user does not follow): interest retrieval ranked by
    ``recency * max(1, log_1000(followers + 1)) * cosine``. Whatever one side cannot fill, the
    other does (out-of-network first, then further in-network posts).
    """

    def __init__(self, settings: RecsysSettings, state: RecsysState) -> None:
        self.settings = settings
        self.state = state

    def recommend(
        self, posts: PostTable, users: ActiveUsers, now: float, rng: np.random.Generator
    ) -> Feeds:
        """The mixed feed of each active user; ``rng`` is unused."""
        s, n = self.settings, len(users)
        decay = recency_decay(posts.created_at, now, s.recency_half_life_s)
        excl = exclusions(users, self.state, s)
        full = np.full(n, s.k, dtype=np.int64)
        source = grouped_source(*followee_posts(posts, users, popularity(posts) * decay), n)
        inside = fill(source, posts, excl, full, s.oversample * s.k)
        k_in = round(s.in_network_share * s.k)
        outside_excl = excl.with_authors(csr_rows(users.followee_indptr), users.followee_indices)
        limit = s.k - (inside[:, :k_in] >= 0).sum(axis=1)
        weights = decay * follower_factor(posts, users)
        outside = retrieve(posts, users, self.state, s, weights, outside_excl, limit)
        merged = np.hstack([inside[:, :k_in], outside, inside[:, k_in:]])
        rows = take_first(merged, merged >= 0, full, s.k)
        return Feeds.from_padded(users.user_id, to_post_ids(posts, rows))
