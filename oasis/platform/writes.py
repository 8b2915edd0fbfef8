"""Writing a decided step: bulk inserts, deletes and counter updates, then the trace."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, update

from oasis.actions import Action, ActionResult
from oasis.platform.batch import StepBatch, chunks
from oasis.platform.schema import (
    AgentMemory,
    Base,
    ChatGroup,
    Comment,
    CommentDislike,
    CommentLike,
    Dislike,
    Follow,
    GroupMember,
    GroupMessage,
    Like,
    Mute,
    Post,
    Product,
    Report,
    StepMetrics,
    Trace,
    User,
)

# Row tables in an order that satisfies their foreign keys.
ROW_TABLES: dict[str, type[Base]] = {
    "user": User,
    "post": Post,
    "comment": Comment,
    "chat_group": ChatGroup,
    "group_message": GroupMessage,
}
PAIR_TABLES: dict[str, type[Base]] = {
    "like": Like,
    "dislike": Dislike,
    "report": Report,
    "comment_like": CommentLike,
    "comment_dislike": CommentDislike,
    "follow": Follow,
    "mute": Mute,
    "group_member": GroupMember,
}
COUNTER_TABLES: dict[str, type[Base]] = {
    "user": User,
    "post": Post,
    "comment": Comment,
    "product": Product,
    "chat_group": ChatGroup,
}


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def write_batch(
    batch: StepBatch, actions: Sequence[Action], results: Sequence[ActionResult]
) -> None:
    """Write everything the step decided, on the batch's connection (its open transaction)."""
    conn = batch.conn
    for name, model in ROW_TABLES.items():
        for part in chunks(batch.inserts.get(name, [])):
            conn.execute(insert(_table(model)), part)
    for name, model in PAIR_TABLES.items():
        _write_pairs(batch, name, _table(model))
    for name, model in COUNTER_TABLES.items():
        _write_counters(batch, name, _table(model))
    traces = [_trace_row(batch, a, r) for a, r in zip(actions, results, strict=True)]
    for part in chunks(traces):
        conn.execute(insert(_table(Trace)), part)


def _write_pairs(batch: StepBatch, name: str, table: Table) -> None:
    left, right = (c.name for c in table.primary_key.columns)
    pairs = batch.relations[name]
    notes = "reason" in table.c  # reports keep the reason given
    rows = [
        {left: a, right: b, "created_step": batch.step} | ({"reason": note} if notes else {})
        for (a, b), note in sorted(pairs.added.items())
    ]
    for part in chunks(rows):
        batch.conn.execute(insert(table), part)
    gone = [{"b_left": a, "b_right": b} for a, b in sorted(pairs.removed)]
    condition = (table.c[left] == bindparam("b_left"), table.c[right] == bindparam("b_right"))
    for part in chunks(gone):
        batch.conn.execute(delete(table).where(*condition), part)


def _write_counters(batch: StepBatch, name: str, table: Table) -> None:
    rows = batch.deltas.by_row(name)
    if not rows:
        return
    columns = sorted({c for changes in rows.values() for c in changes})
    (key,) = table.primary_key.columns
    statement = (
        update(table)
        .where(key == bindparam("b_key"))
        .values({c: table.c[c] + bindparam(f"b_{c}") for c in columns})
    )
    params = [
        {"b_key": row_id, **{f"b_{c}": changes.get(c, 0) for c in columns}}
        for row_id, changes in rows.items()
    ]
    for part in chunks(params):
        batch.conn.execute(statement, part)


def _trace_row(batch: StepBatch, action: Action, result: ActionResult) -> dict[str, Any]:
    return {
        "trace_id": batch.new_id("trace"),
        "step": batch.step,
        "user_id": action.agent_id,
        "action": str(action.type),
        "args": dict(action.args),
        "ok": result.ok,
        "reason": result.reason,
        "result": dict(result.data),
    }


def write_memories(conn: Connection, step: int, memories: Mapping[int, Mapping[str, Any]]) -> None:
    """Replace the saved memory of each agent in ``memories`` with its state after ``step``."""
    table = _table(AgentMemory)
    ids = sorted(memories)
    for part in chunks(ids):
        conn.execute(delete(table).where(table.c.user_id.in_(part)))
        rows = [{"user_id": i, "step": step, "memory": dict(memories[i])} for i in part]
        conn.execute(insert(table), rows)


def write_metrics(
    conn: Connection,
    step: int,
    sim_time: float,
    metrics: Mapping[str, Any],
    results: Sequence[ActionResult],
) -> None:
    """Store the step's figures, with the action counts every step has."""
    failed = sum(1 for r in results if not r.ok)
    counts = {"actions": len(results), "failed_actions": failed}
    row = {"step": step, "sim_time": sim_time, "metrics": counts | dict(metrics)}
    conn.execute(insert(_table(StepMetrics)), [row])
