"""The commit token the API's cache keys by: it changes with each commit, and survives a lost
connection to PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from oasis.core.actions import Action, ActionType
from oasis.platform import Platform
from oasis.platform.changes import CommitWatch
from tests.conftest import PG_DSN


@contextmanager
def watching(url: str) -> Iterator[tuple[Platform, CommitWatch]]:
    """A run's writer, and a commit watch over a read-only platform of the same database."""
    writer = Platform.open(url)
    writer.start_run(seed=1, config={})
    reader = Platform.open(url, read_only=True)
    watch = reader.commit_watch()
    try:
        yield writer, watch
    finally:
        watch.close()
        reader.close()
        writer.close()


def test_the_token_changes_with_each_commit_and_only_then(db_url: str):
    with watching(db_url) as (writer, watch):
        first = watch.version()
        assert first is not None and watch.version() == first
        writer.apply(0, [Action(1, ActionType.SIGN_UP, {"user_name": "a", "name": "A"})])
        second = watch.version()
        assert second not in (None, first) and watch.version() == second


@pytest.mark.postgres
def test_a_lost_postgres_connection_reads_uncached_once_then_reconnects(postgres_url: str):
    # Named, so that only this test's connections are ended (other tests share the server).
    name = postgres_url.rsplit("%3D", 1)[1]
    with watching(f"{postgres_url}&application_name={name}") as (_, watch):
        token = watch.version()
        assert token is not None
        with psycopg.connect(PG_DSN, autocommit=True) as admin:  # as a server restart would
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> "
                "pg_backend_pid() AND application_name = %s AND query LIKE 'SELECT last_step, "
                "status%%'",
                (name,),
            )
        assert watch.version() is None
        assert watch.version() == token
