"""User interest vectors: the profile's embedding, moved toward what the user engages with."""

from __future__ import annotations

import numpy as np

from oasis.recsys.embedding import Matrix, l2_normalise
from oasis.recsys.tables import IntArray
from oasis.recsys.vectors import VectorTable


class InterestStore:
    """Interest vector per user, as an exponential moving average.

    A user starts at their profile embedding ``v``. Each engagement with a post of embedding
    ``e`` (a like, a repost, or writing it), taken in the order given, moves it:
    ``v <- (1 - rate) * v + rate * e``. Only users who engaged get a row of their own; the others
    read their profile row, so idle users cost no extra memory.
    """

    def __init__(self, profiles: VectorTable, rate: float, moved: VectorTable | None = None):
        self.profiles = profiles
        self.rate = rate
        self.moved = moved if moved is not None else VectorTable(profiles.dim)

    def raw(self, user_ids: IntArray) -> Matrix:
        """Current vectors (not normalised); zero for users with neither profile nor history."""
        out = self.profiles.vectors(user_ids, missing_ok=True)
        rows = self.moved.lookup(user_ids)
        has = rows >= 0
        out[has] = self.moved.vectors(np.asarray(user_ids)[has])
        return out

    def vectors(self, user_ids: IntArray) -> Matrix:
        """Unit interest vectors of ``user_ids`` (zero rows where nothing is known)."""
        return l2_normalise(self.raw(user_ids))

    def observe(self, user_ids: IntArray, post_vectors: Matrix) -> None:
        """Applies engagements ``(user_ids[j], post_vectors[j])`` in order, in one pass.

        For a user with ``m`` engagements this step, the sequential average equals
        ``(1-a)^m v + sum_j a (1-a)^(m-1-j) e_j``, which is what is computed, vectorised.
        """
        user_ids = np.asarray(user_ids, dtype=np.int64)
        if user_ids.size == 0:
            return
        order = np.argsort(user_ids, kind="stable")
        users, start, counts = np.unique(user_ids[order], return_index=True, return_counts=True)
        position = np.arange(order.size) - np.repeat(start, counts)
        later = np.repeat(counts, counts) - 1 - position
        keep = 1.0 - self.rate
        weights = (self.rate * keep**later).astype(np.float32)[:, None]
        moved = self.raw(users) * (keep**counts).astype(np.float32)[:, None]
        np.add.at(moved, np.repeat(np.arange(users.size), counts), weights * post_vectors[order])
        self.moved.put(users, moved)
