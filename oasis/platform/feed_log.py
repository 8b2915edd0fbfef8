"""The per-step feed log: every feed of a step in one row, as CSR arrays stored as npy bytes."""

from __future__ import annotations

import io
from typing import NamedTuple

import numpy as np
from sqlalchemy import Connection, insert, select

from oasis.platform.schema import FeedLog


class FeedRecord(NamedTuple):
    """Feeds as CSR: row i lists ``post_ids[indptr[i]:indptr[i+1]]`` shown to ``user_ids[i]``."""

    user_ids: np.ndarray
    indptr: np.ndarray
    post_ids: np.ndarray


def _to_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array, dtype=np.int64), allow_pickle=False)
    return buffer.getvalue()


def _from_bytes(data: bytes) -> np.ndarray:
    return np.asarray(np.load(io.BytesIO(data), allow_pickle=False), dtype=np.int64)


def write_feeds(conn: Connection, step: int, feeds: FeedRecord) -> None:
    """Store the feeds of ``step``."""
    row = {name: _to_bytes(getattr(feeds, name)) for name in FeedRecord._fields}
    conn.execute(insert(FeedLog).values(step=step, **row))


def read_feeds(conn: Connection, step: int) -> FeedRecord | None:
    """The feeds stored for ``step``, if any."""
    row = conn.execute(select(FeedLog).where(FeedLog.step == step)).mappings().first()
    if row is None:
        return None
    return FeedRecord(*(_from_bytes(row[name]) for name in FeedRecord._fields))
