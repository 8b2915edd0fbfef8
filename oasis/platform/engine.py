"""Database engines: SQLite (a file, WAL) by default, PostgreSQL through psycopg 3 by URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from oasis.core.redaction import redact_url
from oasis.platform.errors import PlatformError
from oasis.platform.schema import Base, Run, Trace, table_of

SUPPORTED = "sqlite:///PATH or postgresql://USER@HOST/DATABASE"
# Connections a read-only engine (the API's) keeps and never exceeds: the API admits that many
# requests to the database at once (oasis/api/dependencies.py), so none waits for a connection.
READER_CONNECTIONS = 16


# Execution option of a connection whose transactions write from their start (a step's).
WRITE_LOCK = "oasis_write_lock"


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """Create an engine for ``url``; SQLite files get WAL, synchronous=NORMAL and foreign keys.

    A ``read_only`` SQLite engine opens the file with ``query_only`` so a reader can never write;
    a read-only engine keeps at most :data:`READER_CONNECTIONS` connections.
    PostgreSQL URLs may select a schema with ``?options=-csearch_path%3D<schema>``.

    Raises:
        PlatformError: ``url`` is not a database URL, or its driver is not installed.
    """
    shown = redact_url(url)
    pool = {"pool_size": READER_CONNECTIONS, "max_overflow": 0} if read_only else {}
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        if not url.startswith("sqlite"):
            level = "REPEATABLE READ" if read_only else "READ COMMITTED"
            return create_engine(url, pool_pre_ping=True, isolation_level=level, **pool)
        engine = create_engine(url, connect_args={"timeout": 30}, **pool)
    except ArgumentError as exc:
        raise PlatformError(f"database {shown!r} is not a database URL ({SUPPORTED})") from exc
    except (NoSuchModuleError, ImportError) as exc:
        raise PlatformError(
            f"database {shown}: no driver for it is installed ({first_line(exc)}); "
            f"OASIS speaks {SUPPORTED}"
        ) from exc

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, start transactions (see _begin).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        # 16 KiB pages: a step's inserts touch fewer B-tree pages (measured: 7% more actions/s
        # than 4 KiB). It takes effect only on a new file, so it must come before WAL.
        cursor.execute("PRAGMA page_size=16384")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB of pages: big steps stay in memory
        cursor.execute("PRAGMA temp_store=MEMORY")
        if not read_only:  # the platform checkpoints in a thread (oasis/platform/checkpoint.py)
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
            # Pages of the file are mapped, not read() one syscall each: every commit of the run
            # empties a reader's page cache, so the API re-reads pages all the time (measured:
            # 420 -> 325 us of API CPU per request, bench/live_reads.py on an idle run).
            cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # sqlite3 never opens a transaction for reads; an explicit BEGIN gives readers one
        # consistent snapshot of the WAL, so they see whole steps only. A step takes the write
        # lock at once: one that read first and wrote later failed at once (SQLITE_BUSY_SNAPSHOT,
        # no waiting) whenever the API wrote a command meanwhile; now it waits for the lock.
        immediate = conn.get_execution_options().get(WRITE_LOCK, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def check_readable(engine: Engine) -> None:
    """Connect once and check that the database holds the platform's tables.

    Raises:
        PlatformError: it holds no OASIS run (an empty or foreign database).
        SQLAlchemyError: it cannot be reached or is not a database.
    """
    with engine.connect() as conn:
        if not inspect(conn).has_table(Run.__tablename__):
            raise PlatformError(f"{redact_url(str(engine.url))} holds no OASIS run")


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, without SQLAlchemy's statement and link."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def create_schema(engine: Engine) -> None:
    """Create every platform table and index that does not exist yet.

    A database made before the trace recorded who took each action gets that column (NULL in
    its old rows), so its run can still be resumed, forked and served.
    """
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        if "actor" not in {c["name"] for c in inspect(conn).get_columns("trace")}:
            conn.execute(text("ALTER TABLE trace ADD COLUMN actor VARCHAR(16)"))
            for index in table_of(Trace).indexes:
                if "actor" in str(index.dialect_kwargs):  # made with the column's table only
                    index.create(conn)
