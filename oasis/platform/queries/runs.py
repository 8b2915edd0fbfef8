"""Queries about the run as a whole: its record, per-step metrics, traces and table export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, LargeBinary, Table, func, select

from oasis.platform.schema import Base, Run, StepMetrics, Trace

# Tables of binary blobs (the feed log) have no sensible CSV form; they are left out.
EXPORT_TABLES: tuple[str, ...] = tuple(
    t.name
    for t in Base.metadata.sorted_tables
    if not any(isinstance(c.type, LargeBinary) for c in t.columns)
    and t.name != "control_command"  # the API's own mailbox to the run, not the run's data
)


@dataclass(frozen=True, slots=True)
class TraceFilter:
    """Which trace rows to list; ``None`` leaves a field unfiltered."""

    step: int | None = None
    user_id: int | None = None
    action: str | None = None
    ok: bool | None = None


class RunQueries:
    """The run record, its step metrics, traces and raw tables."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def run(self) -> dict[str, Any] | None:
        """The run's seed, config, last committed step and status, or ``None`` before a run."""
        row = self.conn.execute(select(Run.seed, Run.config, Run.last_step, Run.status)).first()
        return None if row is None else dict(row._mapping)

    def step_count(self) -> int:
        """How many steps have metrics recorded."""
        return int(self.conn.scalar(select(func.count()).select_from(StepMetrics)) or 0)

    def step_metrics(
        self, limit: int, offset: int, since: int | None = None, until: int | None = None
    ) -> list[dict[str, Any]]:
        """Metrics rows ordered by step, within ``[since, until]`` when given."""
        query = select(StepMetrics.__table__).order_by(StepMetrics.step)
        if since is not None:
            query = query.where(StepMetrics.step >= since)
        if until is not None:
            query = query.where(StepMetrics.step <= until)
        rows = self.conn.execute(query.limit(limit).offset(offset)).mappings()
        return [dict(r) for r in rows]

    def traces(self, where: TraceFilter, after: int, limit: int) -> list[dict[str, Any]]:
        """Trace rows with ``trace_id > after`` matching ``where``, by trace id."""
        query = select(Trace.__table__).where(Trace.trace_id > after)
        for column, value in (
            (Trace.step, where.step),
            (Trace.user_id, where.user_id),
            (Trace.action, where.action),
            (Trace.ok, where.ok),
        ):
            if value is not None:
                query = query.where(column == value)
        rows = self.conn.execute(query.order_by(Trace.trace_id).limit(limit)).mappings()
        return [dict(r) for r in rows]

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
