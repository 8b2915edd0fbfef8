"""Column tables the platform hands to the recommenders, and the feeds they hand back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from oasis.errors import OasisError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class RecsysError(OasisError):
    """A fault in how the recommenders were called (misaligned columns, unknown embeddings)."""


def _empty_int() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def _check_csr(name: str, indptr: IntArray, indices: IntArray, rows: int) -> None:
    if indptr.shape != (rows + 1,) or indptr[0] != 0 or indptr[-1] != indices.size:
        raise RecsysError(f"{name}: indptr must have {rows + 1} entries from 0 to len(indices)")


@dataclass(frozen=True, slots=True)
class PostTable:
    """Candidate posts as aligned columns (one row per post, any order).

    Attributes:
        post_id: Post ids (int64, unique, non-negative).
        author_id: The author's user id of each post.
        created_at: Simulated creation time in seconds.
        likes: Like counts.
        dislikes: Dislike counts.
        shares: Repost (share) counts.
    """

    post_id: IntArray
    author_id: IntArray
    created_at: FloatArray
    likes: IntArray
    dislikes: IntArray
    shares: IntArray

    def __post_init__(self) -> None:
        n = self.post_id.shape
        columns = (self.author_id, self.created_at, self.likes, self.dislikes, self.shares)
        if len(n) != 1 or any(c.shape != n for c in columns):
            raise RecsysError("PostTable columns must be 1-d and of equal length")

    def __len__(self) -> int:
        return int(self.post_id.size)


@dataclass(frozen=True, slots=True)
class ActiveUsers:
    """The users who get a feed this step, with their follow and mute lists.

    Row ``i`` of both CSR lists belongs to ``user_id[i]``: its followees are
    ``followee_indices[followee_indptr[i]:followee_indptr[i + 1]]`` (user ids), likewise muted.
    ``author_ids``/``author_followers`` give follower counts of candidate posts' authors; an
    author not listed counts as having none.
    """

    user_id: IntArray
    followee_indptr: IntArray
    followee_indices: IntArray
    muted_indptr: IntArray
    muted_indices: IntArray
    author_ids: IntArray = field(default_factory=_empty_int)
    author_followers: IntArray = field(default_factory=_empty_int)

    def __post_init__(self) -> None:
        rows = self.user_id.size
        _check_csr("followees", self.followee_indptr, self.followee_indices, rows)
        _check_csr("muted", self.muted_indptr, self.muted_indices, rows)
        if self.author_ids.shape != self.author_followers.shape:
            raise RecsysError("author_ids and author_followers must be aligned")

    def __len__(self) -> int:
        return int(self.user_id.size)

    @classmethod
    def without_lists(cls, user_id: IntArray) -> ActiveUsers:
        """Active users who follow and mute nobody."""
        zeros = np.zeros(user_id.size + 1, dtype=np.int64)
        return cls(user_id, zeros, _empty_int(), zeros, _empty_int())


@dataclass(frozen=True, slots=True)
class Feeds:
    """Each active user's ranked post ids, stored as CSR (user ``user_id[i]`` gets row ``i``).

    Attributes:
        user_id: The active users, in the order of the ``ActiveUsers`` they came from.
        indptr: Row offsets into ``post_id`` (length ``len(user_id) + 1``).
        post_id: The ranked post ids of all feeds, concatenated.
    """

    user_id: IntArray
    indptr: IntArray
    post_id: IntArray

    @classmethod
    def from_padded(cls, user_id: IntArray, padded: IntArray) -> Feeds:
        """Builds feeds from an ``(n, k)`` matrix of post ids padded on the right with -1."""
        keep = padded >= 0
        indptr = np.zeros(user_id.size + 1, dtype=np.int64)
        np.cumsum(keep.sum(axis=1), out=indptr[1:])
        return cls(user_id.astype(np.int64), indptr, padded[keep].astype(np.int64))

    def __len__(self) -> int:
        return int(self.user_id.size)

    def __iter__(self) -> Iterator[tuple[int, IntArray]]:
        for i, uid in enumerate(self.user_id.tolist()):
            yield uid, self.post_id[self.indptr[i] : self.indptr[i + 1]]

    def as_dict(self) -> dict[int, IntArray]:
        """Each user's feed as ``{user_id: post ids in rank order}``."""
        return dict(iter(self))

    def select(self, user_ids: IntArray) -> tuple[IntArray, IntArray]:
        """The CSR ``(indptr, post_id)`` of the feeds of ``user_ids``, in that order.

        A user without a feed here gets an empty row.
        """
        order = np.argsort(self.user_id, kind="stable")
        at = np.searchsorted(self.user_id, user_ids, sorter=order).clip(0, max(len(self) - 1, 0))
        row = order[at] if len(self) else at
        known = self.user_id[row] == user_ids if len(self) else np.zeros(user_ids.size, bool)
        start = np.where(known, self.indptr[row], 0)
        count = np.where(known, self.indptr[row + 1] - start, 0)
        indptr = np.zeros(user_ids.size + 1, dtype=np.int64)
        np.cumsum(count, out=indptr[1:])
        flat = np.arange(indptr[-1], dtype=np.int64) + np.repeat(start - indptr[:-1], count)
        return indptr, self.post_id[flat]

    def rows(self) -> tuple[IntArray, IntArray, IntArray]:
        """``(user_id, post_id, rank)`` per feed entry."""
        counts = np.diff(self.indptr)
        users = np.repeat(self.user_id, counts)
        rank = np.arange(self.post_id.size, dtype=np.int64) - np.repeat(self.indptr[:-1], counts)
        return users, self.post_id, rank
