"""A run's PostgreSQL connection dropped in the middle of a query, as a DBA or a failover would.

:class:`ConnectionDrop` watches a run's schema from a thread of the test. Once the run has
committed ``after_step``, it locks ``table``, so the run's next query of it waits (``run``: a
step's first read; ``control_command``: the read of pause and resume between steps); it
terminates the backend that waits (found by the ``application_name`` the run's URL carries),
and lets the table go. The run's own lock session is left alone: this is
the writer's connection lost mid-query, not the run lock (see ``test_run_lock.py``).
"""

from __future__ import annotations

import threading
import time
import uuid

import psycopg

from tests.conftest import PG_DSN


class ConnectionDrop(threading.Thread):
    """Terminates the run's waiting backend once ``after_step`` is committed; see the module."""

    def __init__(self, schema_url: str, table: str = "run", after_step: int = 1) -> None:
        super().__init__(daemon=True)
        self.app = f"oasis-drop-{uuid.uuid4().hex[:8]}"
        self.url = f"{schema_url}&application_name={self.app}"
        self.schema = schema_url.rsplit("%3D", 1)[1]
        self.table, self.after_step = table, after_step
        self.committed: int | None = None  # the run's last step when its backend was dropped
        self.dropped: list[int] = []

    def run(self) -> None:
        """Wait for the step, lock the table, terminate the backend that waits on it."""
        with psycopg.connect(PG_DSN, autocommit=True) as admin, psycopg.connect(PG_DSN) as holder:
            self._wait_for_the_step(admin)
            holder.execute(f"LOCK TABLE {self.schema}.{self.table} IN ACCESS EXCLUSIVE MODE")
            deadline = time.monotonic() + 60  # the run ended first: the test says so
            while not self.dropped and time.monotonic() < deadline:
                waiting = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
                    "AND wait_event_type = 'Lock'",
                    (self.app,),
                ).fetchall()
                for (pid,) in waiting:
                    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                    self.dropped.append(pid)
                time.sleep(0.01)
            (self.committed,) = holder.execute(self._last_step).fetchone()
            holder.rollback()

    @property
    def _last_step(self) -> str:
        return f"SELECT last_step FROM {self.schema}.run"

    def _wait_for_the_step(self, admin: psycopg.Connection) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                row = admin.execute(self._last_step).fetchone()
            except psycopg.errors.UndefinedTable:
                row = None
            if row is not None and row[0] is not None and row[0] >= self.after_step:
                return
            time.sleep(0.01)
