"""Read queries of the REST API, each over one read transaction: a snapshot of whole steps.

Every list query takes ``limit`` and ``offset`` (or a keyset ``after``) and returns plain dicts;
callers ask for one row more than they show to learn whether a next page exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import cached_property

from sqlalchemy import Connection
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


class Snapshot:
    """The API's queries, all over one read transaction, opened by the first query.

    A request that is answered without a query (a bad parameter, a cached part) costs no
    transaction; the one that queries opens it in the thread that queries.
    """

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._open = ExitStack()

    @cached_property
    def _conn(self) -> Connection:
        return self._open.enter_context(self._platform.reader()).conn

    @cached_property
    def run(self) -> RunQueries:
        """The run record, its step metrics, traces and tables."""
        return RunQueries(self._conn)

    @cached_property
    def users(self) -> UserQueries:
        """Users, their follow lists and recorded feeds."""
        return UserQueries(self._conn)

    @cached_property
    def posts(self) -> PostQueries:
        """Posts, comments, shares, rankings and cascades."""
        return PostQueries(self._conn)

    @cached_property
    def summaries(self) -> SummaryQueries:
        """The dashboard's summaries."""
        return SummaryQueries(self._conn)

    def close(self) -> None:
        """End the read transaction, if one was opened, and give back its connection."""
        self._open.close()


@contextmanager
def snapshot(platform: Platform) -> Iterator[Snapshot]:
    """A :class:`Snapshot` of ``platform``, closed on leaving.

    Raises:
        PlatformError: the database failed to answer (gone, locked too long, not a run's).
    """
    snap = Snapshot(platform)
    try:
        yield snap
    except SQLAlchemyError as exc:
        raise PlatformError(f"read failed: {exc}") from exc
    finally:
        snap.close()
