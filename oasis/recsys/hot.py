"""The ``reddit`` recommender: one global hot-score ranking per step, filtered per user."""

from __future__ import annotations

import numpy as np

from oasis.recsys.recommender import RowRanker
from oasis.recsys.scoring import hot_score
from oasis.recsys.tables import ActiveUsers, IntArray, PostTable


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


class HotRecommender(RowRanker):
    """Reddit's hot ranking: every user reads the same list, minus what they may not see."""

    def rank(
        self, posts: PostTable, users: ActiveUsers, now: float, rng: np.random.Generator
    ) -> IntArray:
        """The ``k`` hottest allowed rows per active user; ``now`` and ``rng`` are unused."""
        pools: dict[int, IntArray] = {}

        def source(rows: IntArray, width: int) -> IntArray:
            if width not in pools:
                pools[width] = hot_order(posts, width)
            return np.broadcast_to(pools[width], (rows.size, width))

        return self.top_k(source, posts, users)
