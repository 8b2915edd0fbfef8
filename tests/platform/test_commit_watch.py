"""The commit token the API's cache keys by: it changes with each commit, and survives a lost
connection to PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest

from oasis.core.actions import Action, ActionType
from oasis.platform import Platform
from tests.conftest import PG_DSN


def test_the_token_changes_with_each_commit_and_only_then(db_url: str):
    writer = Platform.open(db_url)
    writer.start_run(seed=1, config={})
    reader = Platform.open(db_url, read_only=True)
    watch = reader.commit_watch()
    try:
        first = watch.version()
        assert first is not None and watch.version() == first
        writer.apply(0, [Action(1, ActionType.SIGN_UP, {"user_name": "a", "name": "A"})])
        second = watch.version()
        assert second not in (None, first) and watch.version() == second
    finally:
        watch.close()
        reader.close()
        writer.close()


@pytest.mark.postgres
def test_a_lost_postgres_connection_reads_uncached_once_then_reconnects(postgres_url: str):
    writer = Platform.open(postgres_url)
    writer.start_run(seed=1, config={})
    reader = Platform.open(postgres_url, read_only=True)
    watch = reader.commit_watch()
    try:
        token = watch.version()
        assert token is not None
        with psycopg.connect(PG_DSN, autocommit=True) as admin:  # as a server restart would
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND query LIKE 'SELECT last_step, status%'"
            )
        assert watch.version() is None
        assert watch.version() == token
    finally:
        watch.close()
        reader.close()
        writer.close()
