"""Inner-product retrieval with faiss: exact for small corpora, IVF (or HNSW) past a threshold."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from oasis.recsys.embedding import Matrix
from oasis.recsys.settings import RecsysSettings
from oasis.recsys.tables import IntArray

IndexKind = Literal["flat", "ivf", "hnsw"]


def choose_index(n_posts: int, settings: RecsysSettings) -> IndexKind:
    """``flat`` (exact) up to ``flat_max_posts`` under ``index="auto"``, IVF past it."""
    if settings.index != "auto":
        return settings.index
    return "flat" if n_posts <= settings.flat_max_posts else "ivf"


def ivf_lists(n_posts: int) -> int:
    """Number of IVF lists: about sqrt(n), so a probe scans ~nprobe * sqrt(n) posts."""
    return max(1, min(int(math.sqrt(n_posts)), n_posts // 39))


class PostIndex:
    """A faiss index over (weighted) post vectors, searched by maximum inner product.

    Indexing ``weight * vector`` makes the search rank by ``weight * cosine`` exactly (flat)
    or approximately (IVF/HNSW), so recency and author reach enter retrieval, not a re-rank.
    """

    def __init__(self, vectors: Matrix, settings: RecsysSettings) -> None:
        import faiss  # loaded on first index, not on import

        self.kind = choose_index(vectors.shape[0], settings)
        self._faiss: Any = faiss
        self._index = self._build(np.ascontiguousarray(vectors, dtype=np.float32), settings)

    def _build(self, vectors: Matrix, settings: RecsysSettings) -> Any:
        faiss, dim = self._faiss, vectors.shape[1]
        if self.kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif self.kind == "ivf":
            index = faiss.index_factory(
                dim, f"IVF{ivf_lists(len(vectors))},Flat", faiss.METRIC_INNER_PRODUCT
            )
            index.cp.niter = 10  # coarse lists only steer the probe; more iterations buy little
            index.train(vectors)
            index.nprobe = settings.ivf_nprobe
        else:
            index = faiss.index_factory(
                dim, f"HNSW{settings.hnsw_m},Flat", faiss.METRIC_INNER_PRODUCT
            )
            index.hnsw.efSearch = settings.hnsw_ef_search
            return self._add_single_threaded(index, vectors)
        index.add(vectors)
        return index

    def _add_single_threaded(self, index: Any, vectors: Matrix) -> Any:
        # A parallel HNSW build links nodes in a racy order; one thread keeps runs reproducible.
        threads = self._faiss.omp_get_max_threads()
        self._faiss.omp_set_num_threads(1)
        try:
            index.add(vectors)
        finally:
            self._faiss.omp_set_num_threads(threads)
        return index

    def search(self, queries: Matrix, width: int) -> IntArray:
        """The ``width`` best post rows per query, best first, -1 where fewer were found."""
        _, rows = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), width)
        found: IntArray = rows.astype(np.int64)
        return found
