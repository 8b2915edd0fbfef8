"""The IVF lists of the candidate posts, kept between steps and moved with them.

Out-of-network retrieval ranks the candidates by ``weight * cosine`` with an IVF index once the
candidates outnumber ``flat_max_posts``. Training the lists' centroids from a random start each
step was the largest part of a million-user step's feeds. A post's list is the centroid nearest
its direction, which its weight (recency, its author's reach) does not change, so the lists can
be made once per step for the next one, outside the ranking, and the centroids need not start
from nothing: every :data:`MOVE_EVERY` steps a few k-means iterations move the last ones to the
candidates (:data:`~oasis.recsys.retrieval.REFINE_ITERATIONS`) and every candidate is placed
again; in between only the new candidates are placed. The centroids are trained afresh when the
candidates have halved or doubled since (the number of lists follows their number).

The loop moves the lists after every committed step, replayed steps included
(:meth:`PostLists.place`), so a resumed run ranks with the same lists as an uninterrupted one;
ranking itself only reads them (:meth:`PostLists.placed`).
"""

from __future__ import annotations

import numpy as np

from oasis.core.arrays import member
from oasis.recsys.retrieval import Quantizer, choose_index
from oasis.recsys.settings import RecsysSettings
from oasis.recsys.tables import IntArray
from oasis.recsys.vectors import VectorTable

# Train afresh once the candidates are this many times as many, or as few, as at the last
# fresh training.
RETRAIN_FACTOR = 2
# Steps between two moves of the centroids. In between, the new candidates are placed by the
# centroids as they are and the others keep their lists, so every list still comes from one
# quantizer: measured on a 300,000-user step, with a sixth of the candidates newer than the
# centroids, 0.986 of the exact best 40 found (0.989 with centroids trained on all of them).
MOVE_EVERY = 2


class PostLists:
    """Each candidate post's IVF list, and the quantizer that placed them.

    Args:
        settings: the recommender's settings (``index``, ``flat_max_posts``).
    """

    def __init__(self, settings: RecsysSettings) -> None:
        self.settings = settings
        self.quantizer: Quantizer | None = None
        self.trained_on = 0  # candidates at the last fresh training
        self.unmoved = 0  # steps placed since the centroids last moved
        self.post_ids: IntArray = np.zeros(0, np.int64)  # ascending
        self.lists: IntArray = np.zeros(0, np.int64)

    def place(self, post_ids: IntArray, posts: VectorTable) -> None:
        """Place the next step's candidates ``post_ids`` (ascending) in lists moved to them.

        Without candidates, or without an IVF index at that many, nothing is kept.
        """
        n = len(post_ids)
        if not n or choose_index(n, self.settings) != "ivf":
            self.quantizer, self.trained_on, self.unmoved = None, 0, 0
            self.post_ids, self.lists = post_ids[:0], self.lists[:0]
            return
        near = self.trained_on / RETRAIN_FACTOR <= n <= self.trained_on * RETRAIN_FACTOR
        if self.quantizer is not None and near and self.unmoved + 1 < MOVE_EVERY:
            held = member(self.post_ids, post_ids)
            lists = np.empty(n, np.int64)
            lists[held] = self.lists[np.searchsorted(self.post_ids, post_ids[held])]
            lists[~held] = self.quantizer.assign(posts.vectors(post_ids[~held]))
            self.post_ids, self.lists, self.unmoved = post_ids, lists, self.unmoved + 1
            return
        vectors = posts.vectors(post_ids)
        if self.quantizer is not None and near:
            self.quantizer = self.quantizer.refine(vectors)
        else:
            self.quantizer, self.trained_on = Quantizer.train(vectors), n
        self.post_ids, self.lists, self.unmoved = post_ids, self.quantizer.assign(vectors), 0

    def placed(self, post_ids: IntArray) -> tuple[Quantizer, IntArray] | None:
        """The quantizer and the list of each of ``post_ids`` if they are the ones placed."""
        if self.quantizer is None or not np.array_equal(post_ids, self.post_ids):
            return None
        return self.quantizer, self.lists
