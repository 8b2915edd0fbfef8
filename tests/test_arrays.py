"""The array helpers agree with numpy's own functions on what they return."""

from __future__ import annotations

import numpy as np
import pytest

from oasis.core.arrays import distinct, member, pair_keys
from oasis.platform.population import clean_edges


@pytest.mark.parametrize("size", [0, 1, 7, 10_000])
def test_distinct_is_np_unique(size):
    values = np.random.default_rng(size).integers(-50, 50, size)
    got = distinct(values)
    assert got.dtype == values.dtype
    assert np.array_equal(got, np.unique(values))


@pytest.mark.parametrize("size", [0, 1, 500])
def test_member_is_np_isin_for_non_negative_keys(size):
    rng = np.random.default_rng(size)
    sorted_keys = distinct(rng.integers(0, 1_000, size))
    keys = rng.integers(0, 1_100, 2_000)  # some past the largest key
    assert np.array_equal(member(sorted_keys, keys), np.isin(keys, sorted_keys))


def test_distinct_flattens():
    assert distinct(np.array([[3, 1], [3, 2]])).tolist() == [1, 2, 3]


def test_pair_keys_are_ordered_like_the_rows():
    pairs = np.array([[2, 0], [1, 2**31 - 1], [1, 5], [0, 9]], np.int64)
    keys = pair_keys(pairs)
    assert keys is not None
    assert np.argsort(keys).tolist() == np.lexsort((pairs[:, 1], pairs[:, 0])).tolist()


@pytest.mark.parametrize("bad", [[[-1, 2]], [[1, 2**31]]])
def test_pair_keys_refuse_ids_they_cannot_pack(bad):
    assert pair_keys(np.array(bad, np.int64)) is None


@pytest.mark.parametrize(
    "edges", [[[1, 2], [1, 2], [3, 3], [0, 5]], [[-1, 2], [-1, 2], [2**40, 1]]]
)
def test_clean_edges_dedupes_sorts_and_drops_self_follows(edges):
    rows = np.array(edges, np.int64)
    expected = np.unique(rows[rows[:, 0] != rows[:, 1]], axis=0)
    assert np.array_equal(clean_edges(rows), expected)
