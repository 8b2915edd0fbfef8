"""The ``random`` recommender: k allowed posts per user, uniformly, from a seeded generator."""

from __future__ import annotations

import numpy as np

from oasis.recsys.recommender import exclusions
from oasis.recsys.selection import fill, to_post_ids
from oasis.recsys.settings import RecsysSettings
from oasis.recsys.state import RecsysState
from oasis.recsys.tables import ActiveUsers, Feeds, IntArray, PostTable


class RandomRecommender:
    """Draws candidates with replacement, drops disallowed ones and repeats, redraws if short."""

    def __init__(self, settings: RecsysSettings, state: RecsysState) -> None:
        self.settings = settings
        self.state = state

    def recommend(
        self, posts: PostTable, users: ActiveUsers, now: float, rng: np.random.Generator
    ) -> Feeds:
        """``k`` posts per active user drawn uniformly among those they may see."""
        n_posts = len(posts)

        def source(rows: IntArray, width: int) -> IntArray:
            if width >= n_posts:  # small corpus: a full random permutation per user
                return np.argsort(rng.random((rows.size, n_posts)), axis=1)
            return rng.integers(0, n_posts, size=(rows.size, width), dtype=np.int64)

        limit = np.full(len(users), self.settings.k, dtype=np.int64)
        excl = exclusions(users, self.state, self.settings)
        rows = fill(source, posts, excl, limit, self.settings.oversample * self.settings.k)
        return Feeds.from_padded(users.user_id, to_post_ids(posts, rows))
