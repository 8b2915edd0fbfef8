"""The platform: one database, the single writer of a run, applying each step as one transaction."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from oasis.core.actions import Action, ActionResult
from oasis.core.clock import DEFAULT_MINUTES_PER_STEP
from oasis.platform.changes import CommitWatch
from oasis.platform.checkpoint import Checkpointer
from oasis.platform.commands import CommandStore
from oasis.platform.engine import (
    WRITE_LOCK,
    check_readable,
    create_schema,
    make_engine,
)
from oasis.platform.errors import PlatformError
from oasis.platform.faults import failure, in_one_line
from oasis.platform.feed_log import FeedRecord
from oasis.platform.integrity import counter_mismatches, dump, step_digests
from oasis.platform.population import insert_population, insert_products, loading
from oasis.platform.reader import Reader
from oasis.platform.run_lock import RunLock
from oasis.platform.schema import Run, User
from oasis.platform.settings import PlatformSettings
from oasis.platform.stances import StanceRecord, write_stances
from oasis.platform.step import StepTransaction
from oasis.platform.tokens import TokenStore


@dataclass(frozen=True, slots=True)
class RunInfo:
    """The run recorded in a database."""

    seed: int
    config: dict[str, Any]
    last_step: int
    status: str


class Platform:
    """A simulated social platform stored in SQLite or PostgreSQL.

    A step (:meth:`step`, or its shorthand :meth:`apply`) is the only way the world changes: all
    actions of a step, in canonical order, in one transaction that also records the step.
    """

    def __init__(self, engine: Engine, settings: PlatformSettings | None = None) -> None:
        self.engine = engine
        self.settings = settings or PlatformSettings()
        self._lock: RunLock | None = None
        sqlite = engine.dialect.name == "sqlite"
        self._checkpoints = Checkpointer(engine) if sqlite else None

    @classmethod
    def open(
        cls, url: str, settings: PlatformSettings | None = None, *, read_only: bool = False
    ) -> Platform:
        """Open the platform database at ``url``, creating its tables unless ``read_only``."""
        engine = make_engine(url, read_only=read_only)
        if not read_only:
            try:
                create_schema(engine)
            except SQLAlchemyError as exc:
                engine.dispose()
                raise failure(engine, exc) from exc
        return cls(engine, settings)

    def check_readable(self) -> None:
        """Connect once and check that the database holds an OASIS run's tables.

        Raises:
            PlatformError: the database cannot be reached, is not a database, or holds no run.
        """
        try:
            check_readable(self.engine)
        except SQLAlchemyError as exc:
            raise failure(self.engine, exc) from exc

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """Bulk read queries over one transaction: a consistent view of whole committed steps.

        Raises:
            PlatformError: the database failed (dropped, truncated, not a run's), in one line.
        """
        try:
            with self.engine.connect() as conn, conn.begin():
                yield Reader(conn)
        except SQLAlchemyError as exc:
            raise failure(self.engine, exc) from exc

    def lock_run(self) -> None:
        """Become the run's only writer until :meth:`close`.

        Raises:
            RunLockedError: another process holds the run lock, in one line.
        """
        if self._lock is None:
            self._lock = RunLock(self.engine)

    def commit_watch(self) -> CommitWatch:
        """A cheap token of the database's committed state, changed by every commit."""
        return CommitWatch(self.engine)

    def commands(self) -> CommandStore:
        """The control-command table, written by the API process and read by the run."""
        return CommandStore(self.engine)

    def tokens(self) -> TokenStore:
        """The participants' tokens, which the operator issues and revokes."""
        return TokenStore(self.engine)

    def close(self) -> None:
        """Release the run lock, if held, and the database connections."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        try:
            if self._checkpoints is not None:
                self._checkpoints.close()
        finally:
            self.engine.dispose()

    @in_one_line
    def start_run(self, seed: int, config: dict[str, Any]) -> RunInfo:
        """Record the run's seed and config, or return the run already recorded."""
        with self.engine.begin() as conn:
            if conn.scalar(select(Run.run_id)) is None:
                conn.execute(insert(Run).values(run_id=1, seed=seed, config=config))
        info = self.run_info()
        assert info is not None
        return info

    @in_one_line
    def begin_run(
        self,
        seed: int,
        config: dict[str, Any],
        users: pd.DataFrame,
        follows: np.ndarray,
        ready: Callable[[], None] | None = None,
    ) -> RunInfo:
        """Record a new run and load its population (created at step -1) in ONE transaction.

        A process killed while the population loads leaves no run behind, never a run without
        its users. A run recorded without users (by an older version) gets them loaded here.
        ``ready`` is called inside the transaction once the population is written, before it
        commits: what it raises rolls the run back (the caller's own set-up, done meanwhile).

        Raises:
            PlatformError: the database already holds a run with users.
        """
        with loading(self.engine) as conn:
            recorded = conn.scalar(select(Run.run_id)) is not None
            if recorded and conn.scalar(select(User.user_id).limit(1)) is not None:
                raise PlatformError("the database already holds a run")
            if not recorded:
                conn.execute(insert(Run).values(run_id=1, seed=seed, config=config))
            insert_population(conn, users, follows, -1)
            if ready is not None:
                ready()
        self._checkpoint()
        info = self.run_info()
        assert info is not None
        return info

    @in_one_line
    def has_population(self) -> bool:
        """Whether any user is stored (a run recorded without them was never fully started)."""
        with self.engine.connect() as conn:
            return conn.scalar(select(User.user_id).limit(1)) is not None

    @in_one_line
    def run_info(self) -> RunInfo | None:
        """The run recorded in this database, if any.

        Raises:
            PlatformError: the database failed or holds no run's tables, in one line.
        """
        with self.engine.connect() as conn:
            row = conn.execute(select(Run.seed, Run.config, Run.last_step, Run.status)).first()
        return None if row is None else RunInfo(*row)

    @in_one_line
    def set_config(self, config: dict[str, Any]) -> None:
        """Replace the run's stored config (a fork records the config its next steps follow)."""
        with self.engine.begin() as conn:
            conn.execute(update(Run).values(config=config))

    @in_one_line
    def set_status(self, status: str) -> None:
        """Record the run's status (running, paused, finished, failed, stopped)."""
        with self.engine.begin() as conn:
            conn.execute(update(Run).values(status=status))

    @in_one_line
    def counter_mismatches(self) -> list[str]:
        """Stored counters that differ from a recount of their rows (empty when consistent)."""
        with self.engine.connect() as conn:
            return counter_mismatches(conn)

    @in_one_line
    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every world table's rows, sorted, for comparing two runs (see ``integrity.dump``)."""
        with self.engine.connect() as conn:
            return dump(conn)

    @in_one_line
    def step_digests(self, last_step: int) -> dict[int, str]:
        """A digest of each committed step up to ``last_step`` (see ``integrity.step_digests``).

        Two runs whose digests agree on a step did the same things in it; a fork is checked
        against its parent this way.
        """
        with self.engine.connect() as conn:
            return step_digests(conn, last_step)

    @in_one_line
    def load_population(self, users: pd.DataFrame, follows: np.ndarray, step: int = 0) -> int:
        """Bulk-insert users and their follow graph in one transaction; return the edge count."""
        with loading(self.engine) as conn:
            return insert_population(conn, users, follows, step)

    @in_one_line
    def save_stances(self, step: int, stances: StanceRecord) -> None:
        """Store stances outside a step: the population's starting stances (step -1)."""
        with self.engine.begin() as conn:
            write_stances(conn, step, stances)

    @in_one_line
    def add_products(self, names: Sequence[str]) -> None:
        """Add the products of the e-commerce variant."""
        with self.engine.begin() as conn:
            insert_products(conn, names)

    @contextmanager
    def step(self, step: int, now: float | None = None) -> Iterator[StepTransaction]:
        """One step as one transaction: what is done through it commits as the block exits.

        ``with platform.step(t, now) as tx: results = tx.apply(actions); tx.save_memories(...)``.
        If the block raises, nothing of the step is written.

        Args:
            step: the step to write; a step already committed is refused.
            now: simulated time of the step in seconds (default: the clock's default step
                length from time 0).

        Raises:
            PlatformError: the step was already committed, or the database failed; nothing of
                the step was written.
        """
        when = step * DEFAULT_MINUTES_PER_STEP * 60.0 if now is None else now
        try:
            with (
                _collector_paused(),
                self.engine.connect().execution_options(**{WRITE_LOCK: True}) as conn,
                conn.begin(),
            ):
                last = conn.scalar(select(Run.last_step))
                if last is not None and step <= last:
                    raise PlatformError(f"step {step} is already committed (last step {last})")
                transaction = StepTransaction(conn, self.settings, step, when)
                yield transaction
                transaction.finish()
                if self._lock is not None:  # still the only writer, or nothing is committed
                    self._lock.check()
        except SQLAlchemyError as exc:
            lost = failure(self.engine, exc)
            raise PlatformError(f"step {step} was rolled back: {lost}") from exc
        self._checkpoint()

    @in_one_line
    def _checkpoint(self) -> None:
        """Copy what was just committed from SQLite's log into the file, in a thread."""
        if self._checkpoints is not None:
            self._checkpoints.request()

    def apply(
        self,
        step: int,
        actions: Sequence[Action],
        now: float | None = None,
        *,
        metrics: Mapping[str, Any] | None = None,
        feeds: FeedRecord | None = None,
    ) -> list[ActionResult]:
        """Apply one step's actions in one transaction; return one result per action, in order.

        A shorthand for :meth:`step` with only actions, figures and feeds to write.

        Raises:
            PlatformError: as :meth:`step`.
        """
        with self.step(step, now) as transaction:
            results = transaction.apply(actions)
            transaction.save_metrics(metrics or {})
            if feeds is not None:
                transaction.save_feeds(feeds)
        return results


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a step is applied.

    A step allocates hundreds of thousands of short-lived, acyclic objects (rows, results); the
    collector's repeated passes over them cost about a sixth of the step. It runs again after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
