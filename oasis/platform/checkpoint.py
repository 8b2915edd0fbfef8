"""Copying a SQLite run's write-ahead log into its database file, beside the run.

SQLite copies the log into the file (a checkpoint) inside the commit that takes the log past
1,000 pages: at a million users that is every step's commit, half a second of it, during which
the loop waits. The run's own engine turns that off (``wal_autocheckpoint=0``, see
:func:`~oasis.platform.engine.make_engine`); after each of its commits the platform asks for a
PASSIVE checkpoint, which runs in a thread on a connection of its own while the loop goes on to
the next step (the driver leaves Python's lock while it copies). A passive checkpoint never
blocks the writer nor a reader; the database's contents, and what a process killed at any
moment leaves, are SQLite's as before (the log holds every committed step until copied).
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import Engine

from oasis.platform.errors import PlatformError


class Checkpointer:
    """Checkpoints ``engine``'s SQLite database in a thread, one checkpoint at a time."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkpoint")
        self._pending: Future[None] | None = None

    def request(self) -> None:
        """Start a checkpoint unless one is under way (which then copies most of the log).

        Raises:
            PlatformError: the previous checkpoint failed (or SQLAlchemy's error connecting).
        """
        if self._pending is not None:
            if not self._pending.done():
                return
            self._pending.result()
        self._pending = self._thread.submit(self._checkpoint)

    def close(self) -> None:
        """Wait for the checkpoint under way, if any, and stop the thread."""
        self._thread.shutdown(wait=True)
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _checkpoint(self) -> None:
        # The driver's own connection: SQLAlchemy's would open a transaction first, and a
        # checkpoint cannot copy past the snapshot of a transaction on its own connection.
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            cursor.close()
        except sqlite3.Error as exc:
            raise PlatformError(f"the database's log could not be checkpointed: {exc}") from exc
        finally:
            connection.close()
