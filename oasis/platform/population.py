"""Bulk loading of a population (users and their follow graph) and of products."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import repeat

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert

from oasis.core.arrays import distinct, pair_keys
from oasis.platform.batch import chunks
from oasis.platform.bulk import insert_rows
from oasis.platform.schema import Follow, Product, User, table_of
from oasis.platform.text import clean_frame


def clean_edges(follows: np.ndarray) -> np.ndarray:
    """Follow edges as unique (follower, followee) rows, self-follows dropped, sorted."""
    edges = np.asarray(follows, dtype=np.int64).reshape(-1, 2)
    edges = edges[edges[:, 0] != edges[:, 1]]
    keys = pair_keys(edges)
    if keys is None:
        return np.unique(edges, axis=0)
    keys = distinct(keys)
    return np.stack([keys >> 32, keys & 0xFFFFFFFF], axis=1)


def insert_population(
    conn: Connection, users: pd.DataFrame, follows: np.ndarray, step: int = 0
) -> int:
    """Insert ``users`` (user_id, user_name, name, bio, persona) and their follow edges.

    Follower and following counters are computed from the edges.

    Edges naming unknown users are an error of the caller; the foreign keys reject them.
    Returns the number of follow edges written.
    """
    edges = clean_edges(follows)
    ids = users["user_id"].to_numpy(np.int64)
    size = int(max(ids.max(initial=-1), edges.max(initial=-1))) + 1
    followers = np.bincount(edges[:, 1], minlength=size)[ids]
    followings = np.bincount(edges[:, 0], minlength=size)[ids]
    frame = pd.DataFrame(
        {
            "user_id": ids,
            "user_name": users["user_name"].astype(str),
            "name": users["name"].astype(str),
            "bio": users["bio"].fillna("").astype(str) if "bio" in users else "",
            "persona": users["persona"].fillna("").astype(str) if "persona" in users else "",
            "created_step": step,
            "num_followers": followers,
            "num_followings": followings,
        }
    )
    frame = clean_frame(frame, ["user_name", "name", "bio", "persona"])
    insert_rows(conn, table_of(User), list(frame.columns), _tuples(frame))
    columns = ["follower_id", "followee_id", "created_step"]
    # The followee index built once after the load, not kept up in random order throughout.
    (index,) = (i for i in table_of(Follow).indexes if i.name == "ix_follow_followee")
    index.drop(conn)
    insert_rows(conn, table_of(Follow), columns, _edge_rows(edges, step))
    index.create(conn)
    return len(edges)


def _edge_rows(edges: np.ndarray, step: int) -> Iterator[tuple[int, int, int]]:
    """Edge rows as plain ints, made a part at a time (ten million at once took gigabytes)."""
    for start in range(0, len(edges), _EDGE_PART):
        part = edges[start : start + _EDGE_PART]
        yield from zip(part[:, 0].tolist(), part[:, 1].tolist(), repeat(step))


_EDGE_PART = 100_000  # rows made at once


def insert_products(conn: Connection, names: Sequence[str]) -> None:
    """Insert products by name, with ids in the given order starting at 1."""
    rows = [{"product_id": i, "name": n, "sales": 0} for i, n in enumerate(names, start=1)]
    for part in chunks(rows):
        conn.execute(insert(Product), part)


def _tuples(frame: pd.DataFrame) -> Iterator[tuple[object, ...]]:
    """Rows as tuples of plain Python values (drivers do not take numpy scalars), by parts."""
    for start in range(0, len(frame), _EDGE_PART):
        part = frame.iloc[start : start + _EDGE_PART]
        yield from zip(*(part[c].tolist() for c in part.columns), strict=True)
