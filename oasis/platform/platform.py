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

from oasis.core.actions import Action, ActionResult, ActionType, canonical_order, validate_args
from oasis.platform.batch import StepBatch, load_batch
from oasis.platform.engine import create_schema, make_engine
from oasis.platform.errors import PlatformError
from oasis.platform.feed_log import FeedRecord, write_feeds
from oasis.platform.handlers import HANDLERS
from oasis.platform.handlers.result import fail
from oasis.platform.integrity import counter_mismatches, dump, step_digests
from oasis.platform.population import insert_population, insert_products
from oasis.platform.reader import Reader
from oasis.platform.schema import Run
from oasis.platform.settings import PlatformSettings
from oasis.platform.writes import write_batch, write_memories, write_metrics

SECONDS_PER_STEP = 60.0


@dataclass(frozen=True, slots=True)
class RunInfo:
    """The run recorded in a database."""

    seed: int
    config: dict[str, Any]
    last_step: int
    status: str


class Platform:
    """A simulated social platform stored in SQLite or PostgreSQL.

    ``apply`` is the only way state changes: all actions of a step, in canonical order, in one
    transaction that also records the step as committed.
    """

    def __init__(self, engine: Engine, settings: PlatformSettings | None = None) -> None:
        self.engine = engine
        self.settings = settings or PlatformSettings()

    @classmethod
    def open(
        cls, url: str, settings: PlatformSettings | None = None, *, read_only: bool = False
    ) -> Platform:
        """Open the platform database at ``url``, creating its tables unless ``read_only``."""
        engine = make_engine(url, read_only=read_only)
        if not read_only:
            create_schema(engine)
        return cls(engine, settings)

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """Bulk read queries over one transaction: a consistent view of whole committed steps."""
        with self.engine.connect() as conn, conn.begin():
            yield Reader(conn)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def start_run(self, seed: int, config: dict[str, Any]) -> RunInfo:
        """Record the run's seed and config, or return the run already recorded."""
        with self.engine.begin() as conn:
            if conn.scalar(select(Run.run_id)) is None:
                conn.execute(insert(Run).values(run_id=1, seed=seed, config=config))
        info = self.run_info()
        assert info is not None
        return info

    def run_info(self) -> RunInfo | None:
        """The run recorded in this database, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(select(Run.seed, Run.config, Run.last_step, Run.status)).first()
        return None if row is None else RunInfo(*row)

    def set_config(self, config: dict[str, Any]) -> None:
        """Replace the run's stored config (a fork records the config its next steps follow)."""
        with self.engine.begin() as conn:
            conn.execute(update(Run).values(config=config))

    def set_status(self, status: str) -> None:
        """Record the run's status (running, paused, finished, failed)."""
        with self.engine.begin() as conn:
            conn.execute(update(Run).values(status=status))

    def counter_mismatches(self) -> list[str]:
        """Stored counters that differ from a recount of their rows (empty when consistent)."""
        with self.engine.connect() as conn:
            return counter_mismatches(conn)

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every world table's rows, sorted, for comparing two runs (see ``integrity.dump``)."""
        with self.engine.connect() as conn:
            return dump(conn)

    def step_digests(self, last_step: int) -> dict[int, str]:
        """A digest of each committed step up to ``last_step`` (see ``integrity.step_digests``).

        Two runs whose digests agree on a step did the same things in it; a fork is checked
        against its parent this way.
        """
        with self.engine.connect() as conn:
            return step_digests(conn, last_step)

    def load_population(self, users: pd.DataFrame, follows: np.ndarray, step: int = 0) -> int:
        """Bulk-insert users and their follow graph in one transaction; return the edge count."""
        with self.engine.begin() as conn:
            return insert_population(conn, users, follows, step)

    def add_products(self, names: Sequence[str]) -> None:
        """Add the products of the e-commerce variant."""
        with self.engine.begin() as conn:
            insert_products(conn, names)

    def apply(
        self,
        step: int,
        actions: Sequence[Action],
        now: float | None = None,
        *,
        memories: Callable[[list[ActionResult]], Mapping[int, Mapping[str, Any]]] | None = None,
        metrics: Mapping[str, Any] | None = None,
        feeds: FeedRecord | None = None,
    ) -> list[ActionResult]:
        """Apply one step's actions in one transaction; return one result per action, in order.

        Args:
            step: the step these actions belong to; a step already committed is refused.
            actions: every action of the step, in any order; they are applied by agent id, then
                in each agent's own order.
            now: simulated time of the step in seconds (default: one minute per step).
            memories: called with the step's results (in the order of ``actions``) while the
                step's transaction is open; the agents' memories it returns are saved with the
                step, so a resumed run continues from exactly this step.
            metrics: figures of the step (active agents, LLM usage, ...), stored with it.
            feeds: the feeds given at this step, stored with it.

        Raises:
            PlatformError: the step was already committed, or the database failed; nothing of
                the step was written.
        """
        order = canonical_order(actions)
        ordered = [actions[i] for i in order]
        try:
            with _collector_paused(), self.engine.begin() as conn:
                last = conn.scalar(select(Run.last_step))
                if last is not None and step <= last:
                    raise PlatformError(f"step {step} is already committed (last step {last})")
                faults = [validate_args(a.type, a.args) for a in ordered]
                valid = [a for a, fault in zip(ordered, faults, strict=True) if fault is None]
                when = step * SECONDS_PER_STEP if now is None else now
                batch = load_batch(conn, self.settings, step, when, valid)
                decided = [_decide(batch, a, f) for a, f in zip(ordered, faults, strict=True)]
                write_batch(batch, ordered, decided)
                by_index = dict(zip(order, decided, strict=True))
                results = [by_index[i] for i in range(len(actions))]
                if memories is not None:
                    write_memories(conn, step, memories(results))
                write_metrics(conn, step, when, metrics or {}, decided)
                if feeds is not None:
                    write_feeds(conn, step, feeds)
                conn.execute(update(Run).values(last_step=step, status="running"))
        except SQLAlchemyError as exc:
            raise PlatformError(f"step {step} was rolled back: {exc}") from exc
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


def _decide(batch: StepBatch, action: Action, fault: str | None) -> ActionResult:
    if fault is not None:
        return fail(fault)
    # ``type`` may be the plain string of a valid action type: both look up the same handler.
    if action.type != ActionType.SIGN_UP and action.agent_id not in batch.users:
        return fail("not_signed_up")
    return HANDLERS[action.type](batch, action)
