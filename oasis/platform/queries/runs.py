"""Queries about the run as a whole: its record, per-step metrics, traces and table export.

Statements are built once with bound parameters (see :mod:`oasis.platform.queries.posts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    LargeBinary,
    Select,
    Table,
    bindparam,
    false,
    func,
    literal_column,
    select,
    true,
)

from oasis.core.actions import Actor
from oasis.platform.queries.rows import LIMIT, dicts, paged
from oasis.platform.schema import Base, Run, StepMetrics, Trace

# Tables of binary blobs (the feed log) have no sensible CSV form; they are left out.
EXPORT_TABLES: tuple[str, ...] = tuple(
    t.name
    for t in Base.metadata.sorted_tables
    if not any(isinstance(c.type, LargeBinary) for c in t.columns)
    # the API's own mailbox to the run and the participants' token digests: not the run's data
    and t.name not in ("control_command", "participant_token")
)


@dataclass(frozen=True, slots=True)
class TraceFilter:
    """Which trace rows to list; ``None`` leaves a field unfiltered."""

    step: int | None = None
    user_id: int | None = None
    action: str | None = None
    ok: bool | None = None
    actor: str | None = None


_RUN = select(Run.seed, Run.config, Run.last_step, Run.status)
_STEP_COUNT = select(func.count()).select_from(StepMetrics)


@cache
def _step_metrics(since: bool, until: bool) -> Select[Any]:
    query = select(StepMetrics.__table__).order_by(StepMetrics.step)
    if since:
        query = query.where(StepMetrics.step >= bindparam("since"))
    if until:
        query = query.where(StepMetrics.step <= bindparam("until"))
    return paged(query)


@cache
def _totals(names: tuple[str, ...]) -> Select[Any]:
    metric = StepMetrics.metrics
    return select(*(func.coalesce(func.sum(metric[n].as_integer()), 0) for n in names))


_TRACE_COLUMNS = {"step": Trace.step, "user_id": Trace.user_id, "action": Trace.action}


@cache
def _traces(filtered: tuple[str, ...], ok: bool | None, actor: str | None = None) -> Select[Any]:
    query = select(Trace.__table__).where(Trace.trace_id > bindparam("after"))
    for name in filtered:
        query = query.where(_TRACE_COLUMNS[name] == bindparam(name))
    if ok is not None:  # a literal, so that failed actions come from their partial index
        query = query.where(Trace.ok.is_(true() if ok else false()))
    if actor is not None:  # a literal too (one of Actor's words): people's have a partial index
        query = query.where(Trace.actor == literal_column(f"'{Actor(actor).value}'"))
    return query.order_by(Trace.trace_id).limit(LIMIT)


class RunQueries:
    """The run record, its step metrics, traces and raw tables."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def run(self) -> dict[str, Any] | None:
        """The run's seed, config, last committed step and status, or ``None`` before a run."""
        row = self.conn.execute(_RUN).first()
        return None if row is None else dict(row._mapping)

    def step_count(self) -> int:
        """How many steps have metrics recorded."""
        return int(self.conn.scalar(_STEP_COUNT) or 0)

    def metric_totals(self, names: Sequence[str]) -> dict[str, int]:
        """The sum over every step of the integer metrics ``names`` (0 where a step lacks one).

        Summed by the database, so a run of many steps costs one scan of their metrics there
        rather than a JSON document per step decoded here.
        """
        row = self.conn.execute(_totals(tuple(names))).one()
        return {name: int(value) for name, value in zip(names, row, strict=True)}

    def step_metrics(
        self, limit: int, offset: int, since: int | None = None, until: int | None = None
    ) -> list[dict[str, Any]]:
        """Metrics rows ordered by step, within ``[since, until]`` when given."""
        query = _step_metrics(since is not None, until is not None)
        values = {"since": since, "until": until, "limit": limit, "offset": offset}
        return dicts(self.conn, query, values)

    def traces(self, where: TraceFilter, after: int, limit: int) -> list[dict[str, Any]]:
        """Trace rows with ``trace_id > after`` matching ``where``, by trace id."""
        values = {name: getattr(where, name) for name in _TRACE_COLUMNS}
        filtered = tuple(name for name, value in values.items() if value is not None)
        query = _traces(filtered, where.ok, where.actor)
        return dicts(self.conn, query, {**values, "after": after, "limit": limit})

    def export(self, name: str, limit: int, offset: int) -> pd.DataFrame:
        """Rows of table ``name`` in primary-key order, as a DataFrame.

        Raises:
            KeyError: ``name`` is not a platform table.
        """
        if name not in EXPORT_TABLES:
            raise KeyError(name)
        table = Base.metadata.tables[name]
        assert isinstance(table, Table)
        query = select(table).order_by(*table.primary_key.columns).limit(limit).offset(offset)
        result = self.conn.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))
