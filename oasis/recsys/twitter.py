"""The ``twitter`` recommender: the paper's mix of in-network and out-of-network posts."""

from __future__ import annotations

import numpy as np

from oasis.recsys.interest import retrieve
from oasis.recsys.ragged import csr_rows, padded_groups, ragged_ranges
from oasis.recsys.recommender import RowRanker, exclusions
from oasis.recsys.scoring import follower_factor, popularity, recency_decay
from oasis.recsys.selection import CandidateSource, fill, take_first
from oasis.recsys.tables import ActiveUsers, FloatArray, IntArray, PostTable


def in_network_source(posts: PostTable, users: ActiveUsers, score: FloatArray) -> CandidateSource:
    """Candidates from followees' posts, best ``score`` first (ties: lower post id).

    For a pool of ``width`` only each followee's ``width`` best posts can matter, so no more
    are gathered: the work is bounded by followees x width, however prolific an author is.
    """
    n_posts = len(posts)
    order = np.lexsort((posts.post_id, -score))
    rank = np.empty(n_posts, dtype=np.int64)
    rank[order] = np.arange(n_posts)
    by_author = np.lexsort((rank, posts.author_id))
    top_id = max(posts.author_id.max(initial=-1), users.followee_indices.max(initial=-1))
    count = np.bincount(posts.author_id, minlength=int(top_id) + 1)
    start = np.cumsum(count) - count
    indptr = users.followee_indptr

    def source(rows: IntArray, width: int) -> IntArray:
        per_user = indptr[rows + 1] - indptr[rows]
        followees = users.followee_indices[ragged_ranges(indptr[rows], per_user)]
        taken = np.minimum(count[followees], width)
        picked = by_author[ragged_ranges(start[followees], taken)]
        owner = np.repeat(np.repeat(np.arange(rows.size), per_user), taken)
        keys = np.sort(owner * n_posts + rank[picked])
        firsts = np.searchsorted(keys, np.arange(rows.size + 1) * n_posts)
        return padded_groups(firsts[:-1], np.diff(firsts), order[keys % n_posts], width)

    return source


class TwitterRecommender(RowRanker):
    """In-network then out-of-network, ``in_network_share`` of ``k`` going to the first.

    In-network: posts of followees ranked by ``(1 + likes + shares) * recency``. Out-of-network
    (authors the user does not follow): interest retrieval ranked by
    ``recency * max(1, log_1000(followers + 1)) * cosine``. Whatever one side cannot fill, the
    other does (out-of-network first, then further in-network posts). With
    ``in_network_stays`` a followee's post is shown again while it still ranks (a timeline);
    ``exclude_shown`` then only keeps out-of-network recommendations from repeating. Without
    ``out_of_network`` the feed is the followees' posts alone (a home timeline).
    """

    def rank(
        self, posts: PostTable, users: ActiveUsers, now: float, rng: np.random.Generator
    ) -> IntArray:
        """The mixed feed of each active user, as rows; ``rng`` is unused."""
        s, n = self.settings, len(users)
        decay = recency_decay(posts.created_at, now, s.recency_half_life_s)
        excl = exclusions(users, self.state, s)
        timeline = exclusions(users, self.state, s, shown=False) if s.in_network_stays else excl
        source = in_network_source(posts, users, popularity(posts) * decay)
        k_in = round(s.in_network_share * s.k)
        inside = fill(source, posts, timeline, np.full(n, k_in), s.k)
        n_in = (inside >= 0).sum(axis=1)
        strangers = excl.with_authors(csr_rows(users.followee_indptr), users.followee_indices)
        weights = decay * follower_factor(posts, users)
        outside = (
            retrieve(posts, users, self.state, s, weights, strangers, s.k - n_in)
            if s.out_of_network
            else np.full((n, 0), -1, dtype=np.int64)
        )
        need = s.k - n_in - (outside >= 0).sum(axis=1)
        more = fill(source, posts, timeline, np.where(need > 0, n_in + need, 0), s.k)
        more[np.arange(more.shape[1]) < n_in[:, None]] = -1  # already in ``inside``
        merged = np.hstack([inside, outside, more])
        return take_first(merged, merged >= 0, np.full(n, s.k), s.k)
