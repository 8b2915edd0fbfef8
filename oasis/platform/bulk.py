"""Bulk statement helpers that keep per-row overhead out of big steps.

Large id sets are bound as ONE parameter (a PostgreSQL array, or a JSON array that SQLite expands
with ``json_each``) rather than thousands of ``IN`` parameters; many-row writes are compiled once
and handed to the driver's ``executemany``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from itertools import chain, islice
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
from sqlalchemy import (
    BigInteger,
    Connection,
    Select,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement, ColumnElement

_LOW = 0xFFFFFFFF
_FETCH_PART = 100_000  # rows per partition of a big read


def int_rows(rows: Iterable[Sequence[Any]], width: int) -> npt.NDArray[np.int64]:
    """Rows of ``width`` integers as an ``(m, width)`` int64 array.

    Flattened through ``np.fromiter``: ``np.array`` over SQLAlchemy rows probes each row for
    array attributes, a failed key look-up each, and took 12 s per million rows here.
    """
    flat = np.fromiter(chain.from_iterable(rows), np.int64)
    return flat.reshape(-1, width)


def fetch_ints(
    conn: Connection, query: Select[*tuple[Any, ...]], width: int
) -> npt.NDArray[np.int64]:
    """Every row of ``query`` (``width`` integer columns) as one ``(m, width)`` int64 array.

    Fetched in partitions, never as row objects all at once.
    """
    parts = [np.empty((0, width), np.int64)]
    result = conn.execution_options(yield_per=_FETCH_PART).execute(query)
    for rows in result.partitions():
        parts.append(int_rows(rows, width))
    return np.concatenate(parts)


def member_of(conn: Connection, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """``column IN values`` with the whole set bound as a single parameter."""
    items = sorted(values)
    if conn.dialect.name == "postgresql":
        kind = String if items and isinstance(items[0], str) else BigInteger
        return column == any_(bindparam(None, items, type_=ARRAY(kind)))  # type: ignore[no-any-return]
    rows = func.json_each(json.dumps(items)).table_valued("value")
    return column.in_(select(rows.c.value))  # type: ignore[no-any-return]


def pair_source(conn: Connection, pairs: Sequence[tuple[int, int]]) -> Any:
    """A derived table of ``pairs`` with columns ``a`` and ``b``, bound as one or two params."""
    if conn.dialect.name == "postgresql":
        return int_columns([[a for a, _ in pairs], [b for _, b in pairs]], ("a", "b"))
    return _split_keys([(a << 32) | b for a, b in pairs])


def key_source(conn: Connection, keys: npt.NDArray[np.int64]) -> Any:
    """:func:`pair_source` of pairs given as ``a << 32 | b`` keys (ids below 2**31)."""
    if conn.dialect.name == "postgresql":
        columns = [(keys >> 32).tolist(), (keys & _LOW).tolist()]
        return int_columns(columns, ("a", "b"))
    return _split_keys(np.ascontiguousarray(keys, dtype=np.int64))


def _split_keys(keys: list[int] | npt.NDArray[np.int64]) -> Any:
    # One integer per pair (a << 32 | b; ids are below 2**31): SQLite splits it with two integer
    # operations, several times cheaper than two json_extract calls per pair. orjson writes a
    # key array's JSON without a Python int per key.
    text = orjson.dumps(keys, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    rows = func.json_each(text).table_valued("value")
    return select(
        rows.c.value.op(">>")(32).label("a"), rows.c.value.op("&")(_LOW).label("b")
    ).subquery()


def present_pairs(
    conn: Connection, left: Any, right: Any, pairs: Sequence[tuple[int, int]], *extra: Any
) -> set[tuple[int, int]]:
    """Those of ``pairs`` present as (left, right) rows (filtered by ``extra`` conditions)."""
    if not pairs:
        return set()
    query = _present(pair_source(conn, pairs), left, right, extra)
    return {(a, b) for a, b in conn.execute(query).all()}


def _present(wanted: Any, left: Any, right: Any, extra: Sequence[Any]) -> Any:
    """The (left, right) rows matching a pair of ``wanted`` (and ``extra``)."""
    return (
        select(left, right)
        .join_from(wanted, left.table, (left == wanted.c.a) & (right == wanted.c.b))
        .where(*extra)
    )


def present_keys(
    conn: Connection, left: Any, right: Any, keys: npt.NDArray[np.int64], *extra: Any
) -> npt.NDArray[np.int64]:
    """:func:`present_pairs` of pairs given as ``left << 32 | right`` keys: those found, sorted.

    No Python tuple per pair: a feed step asks about close to a million pairs.
    """
    if not keys.size:
        return keys[:0]
    query = _present(key_source(conn, keys), left, right, extra)
    found = np.array(conn.execute(query).all(), dtype=np.int64).reshape(-1, 2)
    return np.sort((found[:, 0] << 32) | found[:, 1])


def int_columns(columns: Sequence[Sequence[int]], names: Sequence[str]) -> Any:
    """A PostgreSQL derived table of integer ``columns`` named ``names``, one array param each."""
    arrays = (bindparam(None, list(c), type_=ARRAY(BigInteger)) for c in columns)
    return func.unnest(*arrays).table_valued(*names).render_derived()


def execute_many(
    conn: Connection, statement: ClauseElement, rows: Sequence[dict[str, Any]]
) -> None:
    """Run ``statement`` once per row through the driver's executemany.

    Values go to the driver as they are: JSON columns must be given as JSON text.
    """
    if not rows:
        return
    compiled = statement.compile(dialect=conn.dialect, column_keys=list(rows[0]))
    assert isinstance(compiled, SQLCompiler)
    if compiled.positiontup is not None:
        order = compiled.positiontup
        params: list[Any] = [tuple(row[name] for name in order) for row in rows]
    else:
        params = list(rows)
    conn.exec_driver_sql(str(compiled), params)


_INSERT_PART = 100_000  # rows per executemany on SQLite


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert many rows given as tuples in ``columns`` order: COPY on PostgreSQL, else executemany.

    For bulk loads (a million users, ten million follows), where building a dict per row would
    cost more than writing it.
    """
    if conn.dialect.name == "postgresql":
        quote = conn.dialect.identifier_preparer.quote
        names = ", ".join(quote(c) for c in columns)
        driver = conn.connection.driver_connection
        assert driver is not None
        statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(columns))
    assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
    order = [list(columns).index(name) for name in compiled.positiontup]
    rows = iter(rows)
    # In parts: ten million follows as one parameter list held a gigabyte of tuples at once.
    while params := list(islice(rows, _INSERT_PART)):
        if order != list(range(len(columns))):
            params = [tuple(r[i] for i in order) for r in params]
        conn.exec_driver_sql(str(compiled), params)
