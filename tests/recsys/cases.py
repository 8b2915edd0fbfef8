"""Builders of small hand-made recsys inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from oasis.recsys import ActiveUsers, PostTable, RecsysState
from oasis.recsys.embedding import Matrix

Post = tuple[int, int, float, int, int, int]  # post_id, author, created_at, likes, dislikes, shares


def posts_table(rows: Sequence[Post]) -> PostTable:
    cols = list(zip(*rows, strict=True)) if rows else [()] * 6
    ints = [np.asarray(c, dtype=np.int64) for c in cols]
    return PostTable(
        ints[0], ints[1], np.asarray(cols[2], dtype=np.float64), ints[3], ints[4], ints[5]
    )


def _csr(user_ids: Sequence[int], lists: Mapping[int, Sequence[int]]) -> tuple[np.ndarray, ...]:
    parts = [np.asarray(lists.get(u, ()), dtype=np.int64) for u in user_ids]
    indptr = np.zeros(len(user_ids) + 1, dtype=np.int64)
    np.cumsum([p.size for p in parts], out=indptr[1:])
    indices = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return indptr, indices.astype(np.int64)


def users_table(
    user_ids: Sequence[int],
    followees: Mapping[int, Sequence[int]] | None = None,
    muted: Mapping[int, Sequence[int]] | None = None,
    followers: Mapping[int, int] | None = None,
) -> ActiveUsers:
    followers = followers or {}
    return ActiveUsers(
        np.asarray(user_ids, dtype=np.int64),
        *_csr(user_ids, followees or {}),
        *_csr(user_ids, muted or {}),
        np.asarray(list(followers), dtype=np.int64),
        np.asarray(list(followers.values()), dtype=np.int64),
    )


def axis(i: int, dim: int) -> Matrix:
    v = np.zeros((1, dim), dtype=np.float32)
    v[0, i] = 1.0
    return v


def put_posts(state: RecsysState, topics: Mapping[int, int]) -> None:
    """Gives post ``p`` the unit vector of axis ``topics[p]``."""
    ids = np.asarray(list(topics), dtype=np.int64)
    vecs = np.concatenate([axis(t, state.embedder.dim) for t in topics.values()])
    state.posts.put(ids, vecs)


def put_profiles(state: RecsysState, topics: Mapping[int, int]) -> None:
    """Gives user ``u`` the profile vector of axis ``topics[u]``."""
    ids = np.asarray(list(topics), dtype=np.int64)
    vecs = np.concatenate([axis(t, state.embedder.dim) for t in topics.values()])
    state.interests.profiles.put(ids, vecs)
