"""The run lock: one writer per run database, whatever the machine or process.

On PostgreSQL it is a session-level advisory lock keyed by the schema the URL selects, held by a
connection of its own for as long as the run is open; on SQLite an exclusive ``flock`` on a
``.lock`` file beside the database. Both vanish with the process that holds them, so a killed
run never leaves a stale lock behind, and ``--resume`` right after a kill is never refused.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from oasis.platform.errors import PlatformError

_TRY_LOCK = text(
    "SELECT pg_try_advisory_lock(hashtextextended('oasis-run:' || current_schema(), 0))"
)
_HOLDER = text(
    "SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted "
    "AND l.objid = (hashtextextended('oasis-run:' || current_schema(), 0) & 4294967295)::oid "
    "AND l.pid <> pg_backend_pid() LIMIT 1"
)


class RunLockedError(PlatformError):
    """Another process is writing this run's database."""


class RunLockLostError(PlatformError):
    """The session holding the PostgreSQL run lock ended while the run was open."""


class DatabaseFileLostError(RunLockLostError):
    """The run's SQLite file was deleted or replaced while the run was open."""


class RunLock:
    """Held while a run writes its database; :meth:`release` (or the process's end) frees it."""

    def __init__(self, engine: Engine) -> None:
        self._conn: Connection | None = None
        self._file: IO[str] | None = None
        self._database: tuple[Path, int] | None = None  # a SQLite file and its inode
        if engine.dialect.name == "postgresql":
            self._lock_postgres(engine)
        elif engine.url.database and engine.url.database != ":memory:":
            database = Path(engine.url.database)
            self._lock_file(database.with_suffix(".lock"))
            self._database = (database, database.stat().st_ino)

    def _lock_postgres(self, engine: Engine) -> None:
        conn = engine.connect()
        if conn.scalar(_TRY_LOCK):
            conn.commit()  # the lock is the session's, not the transaction's
            self._conn = conn
            return
        holder = conn.scalar(_HOLDER)
        conn.close()
        who = f"PostgreSQL backend {holder}" if holder else "another session"
        raise RunLockedError(
            f"another oasis process is writing this run ({who} holds its run lock); "
            "wait for it to end or stop it"
        )

    def _lock_file(self, path: Path) -> None:
        handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise RunLockedError(
                f"another oasis process (pid {holder}) is writing this run ({path} is locked); "
                "wait for it to end or stop it"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def check(self) -> None:
        """Check that the lock is still held (called before each step commits).

        A PostgreSQL advisory lock lives as long as its session; a session ended by an idle
        timeout, a proxy or ``pg_terminate_backend`` takes the lock with it, silently, and a
        second writer could get in. A file lock cannot be lost this way, but the SQLite file
        itself can: deleted or replaced, the run would go on writing a file no one can open.

        Raises:
            RunLockLostError: the lock's session has ended, in one line.
            DatabaseFileLostError: the SQLite file is gone or another file, in one line.
        """
        if self._database is not None:
            self._check_file(*self._database)
        if self._conn is None:
            return
        try:
            self._conn.scalar(text("SELECT 1"))
            self._conn.rollback()  # leave the session idle, outside a transaction
        except SQLAlchemyError as exc:
            raise RunLockLostError(
                "the run lock's PostgreSQL session ended (an idle timeout, a proxy or a "
                "terminated backend), so another writer could get in: the run stopped before "
                "committing this step; `oasis run --resume` goes on from the last one"
            ) from exc

    @staticmethod
    def _check_file(database: Path, inode: int) -> None:
        try:
            same = database.stat().st_ino == inode
        except FileNotFoundError:
            same = False
        if not same:
            raise DatabaseFileLostError(
                f"the database file {database} was deleted or replaced while the run wrote it: "
                "the run stopped (what it wrote is lost unless that file is restored)"
            )

    def release(self) -> None:
        """Free the lock (idempotent)."""
        if self._conn is not None:
            self._conn.close()  # ends the session, and with it the advisory lock
            self._conn = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
