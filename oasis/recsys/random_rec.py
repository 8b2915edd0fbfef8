"""The ``random`` recommender: k allowed posts per user, uniformly, from a seeded generator."""

from __future__ import annotations

import numpy as np

from oasis.recsys.recommender import RowRanker
from oasis.recsys.tables import ActiveUsers, IntArray, PostTable


class RandomRecommender(RowRanker):
    """Draws candidates with replacement, drops disallowed ones and repeats, redraws if short."""

    def rank(
        self, posts: PostTable, users: ActiveUsers, now: float, rng: np.random.Generator
    ) -> IntArray:
        """``k`` rows per active user drawn uniformly among the posts they may see."""
        n_posts = len(posts)

        def source(rows: IntArray, width: int) -> IntArray:
            if width >= n_posts:  # small corpus: a full random permutation per user
                return np.argsort(rng.random((rows.size, n_posts)), axis=1)
            return rng.integers(0, n_posts, size=(rows.size, width), dtype=np.int64)

        return self.top_k(source, posts, users)
