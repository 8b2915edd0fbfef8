"""Read queries of the REST API, each over one read transaction: a snapshot of whole steps.

Every list query takes ``limit`` and ``offset`` (or a keyset ``after``) and returns plain dicts;
callers ask for one row more than they show to learn whether a next page exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from oasis.platform.errors import PlatformError
from oasis.platform.platform import Platform
from oasis.platform.queries.posts import PostQueries
from oasis.platform.queries.runs import EXPORT_TABLES, RunQueries, TraceFilter
from oasis.platform.queries.summaries import SummaryQueries
from oasis.platform.queries.users import UserQueries

__all__ = [
    "EXPORT_TABLES",
    "PostQueries",
    "RunQueries",
    "Snapshot",
    "SummaryQueries",
    "TraceFilter",
    "UserQueries",
    "snapshot",
]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The API's queries, all over the same read transaction."""

    run: RunQueries
    users: UserQueries
    posts: PostQueries
    summaries: SummaryQueries


@contextmanager
def snapshot(platform: Platform) -> Iterator[Snapshot]:
    """Open one read transaction on ``platform`` and give its queries.

    Raises:
        PlatformError: the database failed to answer (gone, locked too long, not a run's).
    """
    try:
        with platform.reader() as reader:
            conn = reader.conn
            yield Snapshot(
                RunQueries(conn), UserQueries(conn), PostQueries(conn), SummaryQueries(conn)
            )
    except SQLAlchemyError as exc:
        raise PlatformError(f"read failed: {exc}") from exc
