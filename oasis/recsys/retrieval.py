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
    """Number of IVF lists: about 2 sqrt(n), so a probe scans ~nprobe * sqrt(n) / 2 posts.

    Measured on 100,000 clustered posts: 632 lists x 12 probes kept 99.4% of the exact top 40
    at about a third of the scan time of 316 lists x 8 probes (99.9%).
    """
    return max(1, min(int(2 * math.sqrt(n_posts)), n_posts // 39))


# k-means iterations from a random start, and from the last step's centroids. Measured on a
# 300,000-user step's 35,140 candidates (heuristic posts, whose texts name their step, so the
# candidates drift): the share of the exact best 40 found at 12 probes was 0.989 for centroids
# trained afresh; 0.77 for centroids trained on the oldest sixth and not moved, 0.94 / 0.98 /
# 0.987 once moved by 1 / 2 / 3 iterations, at 15% / 25% / 35% of a fresh training's time
# (from five sixths: 0.988 at 2). Every post is placed again after: keeping the older posts'
# lists found 0.93.
TRAIN_ITERATIONS = 10
REFINE_ITERATIONS = 2


def _kmeans(vectors: Matrix, lists: int, iterations: int, start: Matrix | None = None) -> Matrix:
    """Spherical k-means centroids of ``vectors`` (64 sampled a list), from ``start`` if given."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    kmeans = faiss.Kmeans(
        vectors.shape[1], lists, niter=iterations, spherical=True, max_points_per_centroid=64,
        seed=1234,
    )  # fmt: skip
    kmeans.train(vectors, init_centroids=start)
    return np.asarray(kmeans.centroids, np.float32)


class Quantizer:
    """The centroids of an IVF index's lists: spherical k-means over post directions.

    A post's list is the centroid of largest inner product with its vector, which a positive
    weight does not change: a post can be placed once and weighted anew at every step.
    """

    def __init__(self, centroids: Matrix) -> None:
        import faiss  # loaded on first index, not on import

        self.centroids = centroids
        self.index: Any = faiss.IndexFlatIP(centroids.shape[1])
        self.index.add(centroids)

    @classmethod
    def train(cls, vectors: Matrix) -> Quantizer:
        """``ivf_lists(len(vectors))`` centroids trained on ``vectors`` (deterministic seed).

        A small sample (64 posts a list) and 10 iterations keep training near a second at a
        million users' candidates; unit centroids make a post's list its direction.
        """
        return cls(_kmeans(vectors, ivf_lists(len(vectors)), TRAIN_ITERATIONS))

    def refine(self, vectors: Matrix) -> Quantizer:
        """These centroids moved to ``vectors`` by :data:`REFINE_ITERATIONS` of k-means."""
        return Quantizer(_kmeans(vectors, self.lists, REFINE_ITERATIONS, self.centroids))

    @property
    def lists(self) -> int:
        """How many lists (centroids)."""
        return int(self.centroids.shape[0])

    def assign(self, vectors: Matrix) -> IntArray:
        """The list of each of ``vectors``."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if not len(vectors):
            return np.zeros(0, np.int64)
        found: IntArray = self.index.search(vectors, 1)[1][:, 0].astype(np.int64)
        return found


class PostIndex:
    """Maximum-inner-product search over (weighted) post vectors.

    Indexing ``weight * vector`` makes the search rank by ``weight * cosine`` exactly (flat)
    or approximately (IVF lists, HNSW graph), so recency and author reach enter retrieval
    itself rather than a re-rank of a few candidates. An IVF index takes its lists from
    ``placed`` (a quantizer and each row's list, kept between steps by
    :class:`~oasis.recsys.post_lists.PostLists`), else trains them on ``vectors``.

    ``texts`` (each row's text digest, 0 where unknown) lets a flat or IVF search skip what
    cannot win: rows of one text share a direction and differ only in weight, so only the
    ``width`` heaviest and the ``width`` lightest of them (for queries they point away from)
    can be among any query's best ``width``. Heuristic agents' posts repeat a few hundred texts
    a step, so at a million users that keeps about a quarter of the candidates.
    """

    def __init__(
        self,
        vectors: Matrix,
        settings: RecsysSettings,
        placed: tuple[Quantizer, IntArray] | None = None,
        texts: IntArray | None = None,
    ) -> None:
        import faiss  # loaded on first index, not on import

        self.kind = choose_index(vectors.shape[0], settings)
        self._faiss: Any = faiss
        self._settings, self._texts = settings, texts
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._built: dict[int, tuple[Any, IntArray]] = {}  # width -> (index, its rows)
        if self.kind == "ivf":
            self._quantizer = Quantizer.train(self._vectors) if placed is None else placed[0]
            self._lists = self._quantizer.assign(vectors) if placed is None else placed[1]
        elif self.kind == "hnsw":
            self._built[0] = (self._hnsw(self._vectors, settings), np.arange(len(vectors)))

    def search(self, queries: Matrix, width: int) -> IntArray:
        """The ``width`` best post rows per query, best first, -1 where fewer were found."""
        index, rows = self._index(width)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        found: IntArray = index.search(queries, width)[1].astype(np.int64)
        return np.where(found >= 0, rows[np.maximum(found, 0)], -1)

    def _index(self, width: int) -> tuple[Any, IntArray]:
        """The index over the rows that can be among a query's best ``width``, and those rows."""
        if self.kind == "hnsw":
            return self._built[0]
        if width not in self._built:
            rows = np.arange(len(self._vectors))
            if self._texts is not None:
                rows = contenders(self._texts, self._vectors, width)
            vectors = self._vectors[rows]
            if self.kind == "ivf":
                index = self._ivf(vectors, self._lists[rows], self._settings)
            else:
                index = self._faiss.IndexFlatIP(vectors.shape[1])
                index.add(vectors)
            self._built[width] = (index, rows)
        return self._built[width]

    def _ivf(self, vectors: Matrix, lists: IntArray, settings: RecsysSettings) -> Any:
        faiss, quantizer = self._faiss, self._quantizer
        index = faiss.IndexIVFFlat(
            quantizer.index, vectors.shape[1], quantizer.lists, faiss.METRIC_INNER_PRODUCT
        )
        ids = np.arange(len(vectors), dtype=np.int64)
        lists = np.ascontiguousarray(lists, dtype=np.int64)
        index.add_core(
            len(vectors), faiss.swig_ptr(vectors), faiss.swig_ptr(ids), faiss.swig_ptr(lists)
        )
        index.nprobe = settings.ivf_nprobe
        return index

    def _hnsw(self, vectors: Matrix, settings: RecsysSettings) -> Any:
        faiss = self._faiss
        index = faiss.index_factory(
            vectors.shape[1], f"HNSW{settings.hnsw_m},Flat", faiss.METRIC_INNER_PRODUCT
        )
        index.hnsw.efSearch = settings.hnsw_ef_search
        # A parallel HNSW build links nodes in a racy order; one thread keeps runs reproducible.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            index.add(vectors)
        finally:
            faiss.omp_set_num_threads(threads)
        return index


def contenders(texts: IntArray, vectors: Matrix, width: int) -> IntArray:
    """Rows that can be among a query's best ``width``, ascending.

    Each text's ``width`` longest and ``width`` shortest vectors (ties: lower row first), and
    every row of unknown text (0).
    """
    n = len(texts)
    norms = np.einsum("ij,ij->i", vectors, vectors)
    order = np.lexsort((np.arange(n), -norms, texts))
    grouped = texts[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    sizes = np.diff(np.r_[starts, n])
    rank = np.arange(n) - np.repeat(starts, sizes)
    from_end = np.repeat(sizes, sizes) - 1 - rank
    kept = order[(rank < width) | (from_end < width) | (grouped == 0)]
    return np.sort(kept)
