"""Which posts each user has already been shown, as one sorted array of (user, post) keys."""

from __future__ import annotations

import numpy as np

from oasis.recsys.ragged import ragged_ranges, sorted_unique
from oasis.recsys.tables import Feeds, IntArray, RecsysError

_SHIFT = np.int64(32)
_LIMIT = 1 << 31
_POST_BITS = np.int64((1 << 32) - 1)


def _keys(user_ids: IntArray, post_ids: IntArray) -> IntArray:
    if user_ids.size and (max(user_ids.max(), post_ids.max()) >= _LIMIT):
        raise RecsysError("user and post ids must be below 2**31")
    return (user_ids.astype(np.int64) << _SHIFT) | post_ids.astype(np.int64)


class ShownStore:
    """Shown (user, post) pairs: 8 bytes each, kept sorted so a user's pairs are one slice.

    Adding a step's feeds merges in O(stored + new); reading touches only the active users'
    slices. ``retain_posts`` drops pairs of posts that can no longer be candidates.
    """

    def __init__(self, keys: IntArray | None = None) -> None:
        self._keys: IntArray = np.zeros(0, np.int64) if keys is None else sorted_unique(keys)

    def __len__(self) -> int:
        return int(self._keys.size)

    @property
    def keys(self) -> IntArray:
        """The sorted ``user << 32 | post`` keys (for saving)."""
        return self._keys

    def add(self, user_ids: IntArray, post_ids: IntArray) -> None:
        """Records that ``user_ids[j]`` was shown ``post_ids[j]``."""
        new = sorted_unique(_keys(np.asarray(user_ids), np.asarray(post_ids)))
        at = np.searchsorted(self._keys, new)
        padded = np.append(self._keys, np.int64(-1))
        fresh = padded[at] != new
        self._keys = np.insert(self._keys, at[fresh], new[fresh])

    def add_feeds(self, feeds: Feeds) -> None:
        """Records every post of every feed as shown to its user."""
        users, posts, _ = feeds.rows()
        self.add(users, posts)

    def pairs_for(self, user_ids: IntArray) -> tuple[IntArray, IntArray]:
        """``(row, post_id)`` for each post shown to ``user_ids[row]``."""
        user_ids = np.asarray(user_ids, dtype=np.int64)
        lo = np.searchsorted(self._keys, user_ids << _SHIFT)
        hi = np.searchsorted(self._keys, (user_ids + 1) << _SHIFT)
        counts = hi - lo
        rows = np.repeat(np.arange(user_ids.size, dtype=np.int64), counts)
        posts = self._keys[ragged_ranges(lo, counts)] & _POST_BITS
        return rows, posts

    def retain_posts(self, post_ids: IntArray) -> None:
        """Forgets pairs whose post is not among ``post_ids`` (e.g. aged out of the window)."""
        self._keys = self._keys[np.isin(self._keys & _POST_BITS, post_ids)]
