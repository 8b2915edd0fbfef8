"""Bulk loading of a population (users and their follow graph) and of products."""

from __future__ import annotations

from collections.abc import Sequence

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
    steps = np.full(len(edges), step, np.int64)
    edge_rows = zip(edges[:, 0].tolist(), edges[:, 1].tolist(), steps.tolist(), strict=True)
    insert_rows(conn, table_of(Follow), columns, edge_rows)
    return len(edges)


def insert_products(conn: Connection, names: Sequence[str]) -> None:
    """Insert products by name, with ids in the given order starting at 1."""
    rows = [{"product_id": i, "name": n, "sales": 0} for i, n in enumerate(names, start=1)]
    for part in chunks(rows):
        conn.execute(insert(Product), part)


def _tuples(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Rows as tuples of plain Python values (drivers do not take numpy scalars)."""
    return list(zip(*(frame[c].tolist() for c in frame.columns), strict=True))
