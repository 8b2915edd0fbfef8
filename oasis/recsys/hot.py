"""The ``reddit`` recommender: one global hot-score ranking per step, filtered per user."""

from __future__ import annotations

import numpy as np

from oasis.recsys.recommender import exclusions
from oasis.recsys.scoring import hot_score
from oasis.recsys.selection import fill, to_post_ids
from oasis.recsys.settings import RecsysSettings
from oasis.recsys.state import RecsysState
from oasis.recsys.tables import ActiveUsers, Feeds, IntArray, PostTable


def hot_order(posts: PostTable, width: int) -> IntArray:
    """The ``width`` hottest PostTable rows, hottest first (ties: lower post id first)."""
    scores = hot_score(posts)
    if width < len(posts):
        top = np.argpartition(-scores, width - 1)[:width]
        cut = scores[top].min()
        top = np.flatnonzero(scores >= cut)  # keep every tie at the cut, ordered below
    else:
        top = np.arange(len(posts))
    order = np.lexsort((posts.post_id[top], -scores[top]))
    return top[order][:width]


class HotRecommender:
    """Reddit's hot ranking: every user reads the same list, minus what they may not see."""

    def __init__(self, settings: RecsysSettings, state: RecsysState) -> None:
        self.settings = settings
        self.state = state

    def recommend(
        self, posts: PostTable, users: ActiveUsers, now: float, rng: np.random.Generator
    ) -> Feeds:
        """The ``k`` hottest allowed posts per active user; ``now`` and ``rng`` are unused."""
        pools: dict[int, IntArray] = {}

        def source(rows: IntArray, width: int) -> IntArray:
            if width not in pools:
                pools[width] = hot_order(posts, width)
            return np.broadcast_to(pools[width], (rows.size, width))

        limit = np.full(len(users), self.settings.k, dtype=np.int64)
        excl = exclusions(users, self.state, self.settings)
        rows = fill(source, posts, excl, limit, self.settings.oversample * self.settings.k)
        return Feeds.from_padded(users.user_id, to_post_ids(posts, rows))
