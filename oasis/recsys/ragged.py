"""Vectorised operations on ragged (CSR-like) and sorted int64 arrays."""

from __future__ import annotations

import numpy as np

from oasis.recsys.tables import IntArray


def ragged_ranges(starts: IntArray, counts: IntArray) -> IntArray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, vectorised."""
    offsets = np.arange(int(counts.sum()), dtype=np.int64)
    shift: IntArray = offsets - np.repeat(np.cumsum(counts) - counts - starts, counts)
    return shift


def csr_rows(indptr: IntArray) -> IntArray:
    """The row of each entry of a CSR list."""
    return np.repeat(np.arange(indptr.size - 1, dtype=np.int64), np.diff(indptr))


def sorted_unique(values: IntArray) -> IntArray:
    """Sorted distinct values; skips the sort when the input is already sorted (often is)."""
    values = np.asarray(values, dtype=np.int64)
    if values.size > 1 and not (values[1:] >= values[:-1]).all():
        values = np.sort(values)
    keep = np.ones(values.size, dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def padded_groups(starts: IntArray, counts: IntArray, values: IntArray, width: int) -> IntArray:
    """Row ``i`` holds ``values[starts[i]:starts[i] + counts[i]]`` cut to ``width``, -1 padded."""
    counts = np.minimum(counts, width)
    out = np.full((counts.size, width), -1, dtype=np.int64)
    rows = np.repeat(np.arange(counts.size), counts)
    out[rows, ragged_ranges(np.zeros_like(counts), counts)] = values[ragged_ranges(starts, counts)]
    return out
