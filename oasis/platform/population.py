"""Bulk loading of a population (users and their follow graph) and of products."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat

import numpy as np
import orjson
import pandas as pd
from sqlalchemy import Connection, Engine, Table, insert, inspect, select

from oasis.core.arrays import distinct, pair_keys
from oasis.platform.batch import chunks
from oasis.platform.bulk import insert_rows, member_of
from oasis.platform.errors import PlatformError
from oasis.platform.schema import Follow, Product, User, table_of
from oasis.platform.text import clean_frame


@contextmanager
def loading(engine: Engine) -> Iterator[Connection]:
    """One transaction for a bulk load; on SQLite without checking foreign keys row by row.

    :func:`insert_population` checks its edges' users itself, once: two look-ups per follow
    took most of a million users' load. SQLite's sorts (of an index built after the load) go
    through temporary files meanwhile (see :func:`_sorting_in_runs`). Both pragmas change
    only outside a transaction.
    """
    with engine.connect() as conn:
        driver = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        if driver is None:
            with conn.begin():
                yield conn
            return
        (temp,) = driver.execute("PRAGMA temp_store").fetchone()
        driver.execute("PRAGMA foreign_keys=OFF")
        driver.execute("PRAGMA temp_store=FILE")
        try:
            with conn.begin():
                yield conn
        finally:
            driver.execute("PRAGMA foreign_keys=ON")
            driver.execute(f"PRAGMA temp_store={int(temp)}")


def clean_edges(follows: np.ndarray) -> np.ndarray:
    """Follow edges as unique (follower, followee) rows, self-follows dropped, sorted.

    Edges already so (a generated graph: ten million of them) come back as they are, uncopied.
    """
    edges = np.asarray(follows, dtype=np.int64).reshape(-1, 2)
    if (own := edges[:, 0] == edges[:, 1]).any():
        edges = edges[~own]
    keys = pair_keys(edges)
    if keys is None:
        return np.unique(edges, axis=0)
    if (keys[1:] > keys[:-1]).all():  # already distinct and in order
        return edges
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
    _check_users(conn, edges, ids, size)
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
    # The followee index built once after the load, not kept up in random order throughout.
    (index,) = (i for i in table_of(Follow).indexes if i.name == "ix_follow_followee")
    index.drop(conn)
    with _foreign_keys_checked_after(conn, table_of(Follow)):
        _insert_edges(conn, edges, step)
    with _sorting_in_runs(conn):
        index.create(conn)
    return len(edges)


@contextmanager
def _foreign_keys_checked_after(conn: Connection, table: Table) -> Iterator[None]:
    """On PostgreSQL, ``table``'s foreign keys are dropped for a load and added back after it.

    Adding one checks every row in one join; kept, they are checked row by row (a trigger
    each): that was nine tenths of loading 100,000 users' follows.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    quote = conn.dialect.identifier_preparer.quote
    name = quote(table.name)
    keys = inspect(conn).get_foreign_keys(table.name)
    for key in keys:
        conn.exec_driver_sql(f"ALTER TABLE {name} DROP CONSTRAINT {quote(str(key['name']))}")
    yield
    for key in keys:
        columns, referred = (
            ", ".join(map(quote, key[k])) for k in ("constrained_columns", "referred_columns")
        )
        conn.exec_driver_sql(
            f"ALTER TABLE {name} ADD CONSTRAINT {quote(str(key['name']))} FOREIGN KEY "
            f"({columns}) REFERENCES {quote(key['referred_table'])} ({referred})"
        )


def _check_users(conn: Connection, edges: np.ndarray, ids: np.ndarray, size: int) -> None:
    """Raise unless every edge names a user of ``ids`` or one stored already."""
    known = np.zeros(size, bool)
    known[ids] = True
    others = distinct(edges[~known[edges]])
    if others.size:
        query = select(User.user_id).where(member_of(conn, User.user_id, others.tolist()))
        missing = np.setdiff1d(others, conn.scalars(query).all())
        if missing.size:
            raise PlatformError(
                f"follows name users that do not exist (among {missing[:5].tolist()})"
            )


def _insert_edges(conn: Connection, edges: np.ndarray, step: int) -> None:
    """Insert follow rows; SQLite reads each part's (follower, followee) keys from one JSON array.

    No Python tuple per row: making and binding those cost more than SQLite's inserts.
    """
    keys = pair_keys(edges)
    if conn.dialect.name != "sqlite" or keys is None:
        columns = ["follower_id", "followee_id", "created_step"]
        insert_rows(conn, table_of(Follow), columns, _edge_rows(edges, step))
        return
    statement = (
        "INSERT INTO follow (follower_id, followee_id, created_step) "
        "SELECT value >> 32, value & 4294967295, ? FROM json_each(?)"
    )
    for start in range(0, len(keys), _EDGE_PART):
        part = orjson.dumps(keys[start : start + _EDGE_PART], option=orjson.OPT_SERIALIZE_NUMPY)
        conn.exec_driver_sql(statement, (step, part.decode()))


@contextmanager
def _sorting_in_runs(conn: Connection) -> Iterator[None]:
    """SQLite sorts an index's entries in small runs merged through a temporary file.

    With the run's large page cache (or temporary storage in memory, see :func:`loading`) it
    sorts them all at once in memory: three times slower for a follow graph's millions.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql("PRAGMA cache_size=-2000")  # SQLite's default
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(cache or 0)}")


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
