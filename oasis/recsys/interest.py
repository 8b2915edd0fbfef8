"""The ``interest`` recommender: cosine similarity to the user's interest times recency."""

from __future__ import annotations

import numpy as np

from oasis.recsys.recommender import RowRanker
from oasis.recsys.retrieval import PostIndex
from oasis.recsys.scoring import recency_decay
from oasis.recsys.selection import Exclusions, fill
from oasis.recsys.settings import RecsysSettings
from oasis.recsys.state import RecsysState
from oasis.recsys.tables import ActiveUsers, FloatArray, IntArray, PostTable


def retrieve(
    posts: PostTable,
    users: ActiveUsers,
    state: RecsysState,
    settings: RecsysSettings,
    weights: FloatArray,
    excluded: Exclusions,
    limit: IntArray,
) -> IntArray:
    """Up to ``limit[i]`` PostTable rows per user ranked by ``weights * cosine(interest, post)``.

    The index is rebuilt every step because the weights (recency) change with ``now``; an IVF
    index takes its lists from ``state.lists`` where they hold these posts.
    """
    if len(posts) == 0:
        return np.full((len(users), int(limit.max(initial=0))), -1, dtype=np.int64)
    scaled = state.posts.vectors(posts.post_id) * weights[:, None].astype(np.float32)
    placed = None if state.lists is None else state.lists.placed(posts.post_id)
    index = PostIndex(scaled, settings, placed, state.posts.digests(posts.post_id))
    queries = state.interests.vectors(users.user_id)

    def source(rows: IntArray, width: int) -> IntArray:
        return index.search(queries[rows], width)

    return fill(source, posts, excluded, limit, settings.oversample * settings.k)


class InterestRecommender(RowRanker):
    """Ranks by similarity to the user's interest vector, decayed by the post's age."""

    def rank(
        self, posts: PostTable, users: ActiveUsers, now: float, rng: np.random.Generator
    ) -> IntArray:
        """The ``k`` best allowed rows per active user; ``rng`` is unused."""
        weights = recency_decay(posts.created_at, now, self.settings.recency_half_life_s)
        limit, excluded = self.limits(users)
        return retrieve(posts, users, self.state, self.settings, weights, excluded, limit)
