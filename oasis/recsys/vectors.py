"""A growable id -> vector table: the embedding cache of posts and of profiles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from oasis.core.arrays import distinct
from oasis.recsys.embedding import Embedder, Matrix, text_digest
from oasis.recsys.tables import IntArray, RecsysError

_A = TypeVar("_A", bound=npt.NDArray[Any])


def _grown(array: _A, size: int, fill: float) -> _A:
    if size <= array.shape[0]:
        return array
    bigger = np.full((max(size, 2 * array.shape[0]), *array.shape[1:]), fill, dtype=array.dtype)
    bigger[: array.shape[0]] = array
    return bigger  # type: ignore[return-value]


class VectorTable:
    """Vectors keyed by non-negative int ids, with a digest of the text each came from.

    Ids index a dense lookup array (8 bytes per id up to the largest), which suits the
    database's consecutive ids; vectors are stored once per id, in insertion order.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._row_of: IntArray = np.zeros(0, dtype=np.int64)
        self._ids: IntArray = np.zeros(0, dtype=np.int64)
        self._digests: IntArray = np.zeros(0, dtype=np.int64)
        self._vectors: Matrix = np.zeros((0, dim), dtype=np.float32)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def lookup(self, ids: IntArray) -> IntArray:
        """Row of each id, -1 where the id has no vector."""
        ids = np.asarray(ids, dtype=np.int64)
        if ids.size and ids.min() < 0:
            raise RecsysError("ids must be non-negative")
        if not ids.size or ids.max() < self._row_of.size:  # every id within the table
            known: IntArray = self._row_of[ids.reshape(-1)]
            return known
        rows = np.full(ids.size, -1, dtype=np.int64)
        inside = ids < self._row_of.size
        rows[inside] = self._row_of[ids[inside]]
        return rows

    def put(self, ids: IntArray, vectors: Matrix, digests: IntArray | None = None) -> None:
        """Stores (or overwrites) the vectors of ``ids``; the last of repeated ids wins."""
        ids = np.asarray(ids, dtype=np.int64)
        if vectors.shape != (ids.size, self.dim):
            raise RecsysError(f"expected vectors of shape ({ids.size}, {self.dim})")
        digests = np.zeros(ids.size, dtype=np.int64) if digests is None else digests
        rows = self.lookup(ids)
        self._append(distinct(ids[rows < 0]))
        rows = self.lookup(ids)
        self._vectors[rows] = vectors
        self._digests[rows] = digests

    def _append(self, new_ids: IntArray) -> None:
        if new_ids.size == 0:
            return
        end = self._size + new_ids.size
        self._row_of = _grown(self._row_of, int(new_ids.max()) + 1, -1)
        self._ids = _grown(self._ids, end, 0)
        self._digests = _grown(self._digests, end, 0)
        self._vectors = _grown(self._vectors, end, 0.0)
        self._row_of[new_ids] = np.arange(self._size, end)
        self._ids[self._size : end] = new_ids
        self._size = end

    def ensure(self, ids: IntArray, texts: Sequence[str], embedder: Embedder) -> int:
        """Encodes the texts whose id is new or whose text changed; returns how many."""
        digests = text_digest(texts)
        rows = self.lookup(ids)
        known = rows >= 0
        stale = ~known
        stale[known] = self._digests[rows[known]] != digests[known]
        todo = np.flatnonzero(stale)
        if todo.size:
            # All of them (a run's start) as given: a JoinedTexts stays one for the embedder.
            todo_texts = texts if todo.size == len(texts) else [texts[i] for i in todo.tolist()]
            vectors = embedder.encode(todo_texts)
            self.put(np.asarray(ids, dtype=np.int64)[todo], vectors, digests[todo])
        return int(todo.size)

    def digests(self, ids: IntArray) -> IntArray:
        """The digest of the text each of ``ids`` was encoded from (0: stored without one)."""
        rows = self.lookup(ids)
        if (rows < 0).any():
            raise RecsysError(f"{int((rows < 0).sum())} ids have no vector; add them first")
        found: IntArray = self._digests[rows]
        return found

    def vectors(self, ids: IntArray, missing_ok: bool = False) -> Matrix:
        """The vectors of ``ids`` (zero rows for unknown ids when ``missing_ok``)."""
        rows = self.lookup(ids)
        missing = rows < 0
        if not missing.any():  # one gather, no mask
            found: Matrix = self._vectors.take(rows, axis=0)
            return found
        if not missing_ok:
            raise RecsysError(f"{int(missing.sum())} ids have no vector; add them first")
        out = np.zeros((rows.size, self.dim), dtype=np.float32)
        out[~missing] = self._vectors[rows[~missing]]
        return out

    def retain(self, ids: IntArray) -> None:
        """Forget every vector but those of ``ids`` (ids without one are skipped)."""
        rows = self.lookup(ids)
        rows = np.sort(rows[rows >= 0])
        kept_ids = self._ids[rows]
        self._row_of = np.full(int(kept_ids.max(initial=-1)) + 1, -1, dtype=np.int64)
        self._row_of[kept_ids] = np.arange(rows.size)
        self._ids, self._digests = kept_ids, self._digests[rows]
        self._vectors, self._size = self._vectors[rows], int(rows.size)

    def to_arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """The table as plain arrays (for ``np.savez``)."""
        n = self._size
        return {"ids": self._ids[:n], "digests": self._digests[:n], "vectors": self._vectors[:n]}

    @classmethod
    def from_arrays(cls, ids: IntArray, digests: IntArray, vectors: Matrix) -> VectorTable:
        """Rebuilds a table saved by :meth:`to_arrays`."""
        table = cls(int(vectors.shape[1]))
        table.put(ids, vectors.astype(np.float32), digests)
        return table
