"""The IVF lists of the candidate posts, kept between steps: trained now and then, placed once.

Out-of-network retrieval ranks the candidates by ``weight * cosine`` with an IVF index once the
candidates outnumber ``flat_max_posts``. Training the lists' centroids and placing every
candidate in a list each step cost time in proportion to the candidate window, the largest part
of a million-user step's feeds. Neither needs doing each step: a post's list is the centroid
nearest its direction, which its weight (recency, its author's reach) does not change, so a post
is placed once, when it becomes a candidate; and the centroids are trained again only when the
candidates have turned over (every candidate window) or their number has halved or doubled since
the last training.

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

# Train again once the candidates are this many times as many, or as few, as at the last training.
RETRAIN_FACTOR = 2


class PostLists:
    """Each candidate post's IVF list, and the quantizer that placed them.

    Args:
        settings: the recommender's settings (``index``, ``flat_max_posts``).
    """

    def __init__(self, settings: RecsysSettings) -> None:
        self.settings = settings
        self.quantizer: Quantizer | None = None
        self.trained_on = 0  # candidates at the last training
        self.post_ids: IntArray = np.zeros(0, np.int64)  # ascending
        self.lists: IntArray = np.zeros(0, np.int64)

    def place(self, post_ids: IntArray, posts: VectorTable, renew: bool) -> None:
        """Place the candidates ``post_ids`` (ascending) of the next step; let go of the rest.

        ``renew``: the candidates have turned over since the last training, so train again.
        Without candidates, or without an IVF index at that many, nothing is kept.
        """
        n = len(post_ids)
        if not n or choose_index(n, self.settings) != "ivf":
            self.quantizer, self.trained_on = None, 0
            self.post_ids, self.lists = post_ids[:0], self.lists[:0]
            return
        stale = not self.trained_on / RETRAIN_FACTOR <= n <= self.trained_on * RETRAIN_FACTOR
        if self.quantizer is None or renew or stale:
            vectors = posts.vectors(post_ids)
            self.quantizer, self.trained_on = Quantizer.train(vectors), n
            self.post_ids, self.lists = post_ids, self.quantizer.assign(vectors)
            return
        held = member(self.post_ids, post_ids)
        lists = np.empty(n, np.int64)
        lists[held] = self.lists[np.searchsorted(self.post_ids, post_ids[held])]
        lists[~held] = self.quantizer.assign(posts.vectors(post_ids[~held]))
        self.post_ids, self.lists = post_ids, lists

    def placed(self, post_ids: IntArray) -> tuple[Quantizer, IntArray] | None:
        """The quantizer and the list of each of ``post_ids`` if they are the ones placed."""
        if self.quantizer is None or not np.array_equal(post_ids, self.post_ids):
            return None
        return self.quantizer, self.lists
