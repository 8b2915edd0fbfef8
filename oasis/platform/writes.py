"""Writing a decided step: bulk inserts, deletes and counter updates, then the trace."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection, Table, bindparam, delete, insert, update

from oasis.core.actions import Action, ActionResult
from oasis.platform.batch import StepBatch
from oasis.platform.bulk import execute_many, insert_rows, int_columns, member_of
from oasis.platform.schema import (
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
    SavedMemory,
    StepMetrics,
    Trace,
    User,
    table_of,
)
from oasis.platform.text import clean_value

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


def write_batch(
    batch: StepBatch,
    actions: Sequence[Action],
    results: Sequence[ActionResult],
    actors: Sequence[str | None],
) -> None:
    """Write everything the step decided, on the batch's connection (its open transaction).

    ``actors`` says who took each action, for the trace.
    """
    conn = batch.conn
    for name, model in ROW_TABLES.items():
        rows = batch.inserts.get(name)
        if rows:
            columns = tuple(rows[0])  # every handler of a table gives the same keys
            insert_rows(conn, table_of(model), columns, map(itemgetter(*columns), rows))
    for name, model in PAIR_TABLES.items():
        _write_pairs(batch, name, table_of(model))
    for name, model in COUNTER_TABLES.items():
        _write_counters(batch, name, table_of(model))
    first, step = batch.next_ids["trace"] + 1, batch.step
    batch.next_ids["trace"] += len(actions)
    traces = [  # in _TRACE_COLUMNS order; malformed arguments are kept as their repr
        (
            first + i,
            step,
            a.agent_id,
            str(a.type),
            _json(a.args, repr),
            r.ok,
            r.reason,
            _json(r.data, str),
            actor,
        )
        for i, (a, r, actor) in enumerate(zip(actions, results, actors, strict=True))
    ]
    insert_rows(conn, table_of(Trace), _TRACE_COLUMNS, traces)


def _write_pairs(batch: StepBatch, name: str, table: Table) -> None:
    left, right = (c.name for c in table.primary_key.columns)
    pairs, step = batch.relations[name], batch.step
    rows: list[tuple[Any, ...]]
    if "reason" in table.c:  # reports keep the reason given
        columns: tuple[str, ...] = (left, right, "created_step", "reason")
        rows = [(a, b, step, note) for (a, b), note in sorted(pairs.added.items())]
    else:
        columns = (left, right, "created_step")
        rows = [(a, b, step) for a, b in sorted(pairs.added)]
    insert_rows(batch.conn, table, columns, rows)
    gone = [{"b_left": a, "b_right": b} for a, b in sorted(pairs.removed)]
    condition = (table.c[left] == bindparam("b_left"), table.c[right] == bindparam("b_right"))
    execute_many(batch.conn, delete(table).where(*condition), gone)


def _write_counters(batch: StepBatch, name: str, table: Table) -> None:
    rows = batch.deltas.by_row(name)
    if not rows:
        return
    columns = sorted({c for changes in rows.values() for c in changes})
    (key,) = table.primary_key.columns
    if batch.conn.dialect.name == "postgresql":
        # One UPDATE ... FROM unnest(arrays) instead of a round of the pipeline per row.
        changes = [list(rows), *([row.get(c, 0) for row in rows.values()] for c in columns)]
        source = int_columns(changes, ("b_key", *columns))
        values = {c: table.c[c] + source.c[c] for c in columns}
        batch.conn.execute(update(table).where(key == source.c.b_key).values(values))
        return
    statement = (
        update(table)
        .where(key == bindparam("b_key"))
        .values({c: table.c[c] + bindparam(f"b_{c}") for c in columns})
    )
    params = [
        {"b_key": row_id, **{f"b_{c}": changes.get(c, 0) for c in columns}}
        for row_id, changes in rows.items()
    ]
    execute_many(batch.conn, statement, params)


_TRACE_COLUMNS = (
    "trace_id", "step", "user_id", "action", "args", "ok", "reason", "result", "actor",
)  # fmt: skip


def _json(value: Mapping[str, Any], default: Callable[[Any], str]) -> str:
    """``value`` as JSON text; what JSON cannot hold is written as ``default`` of it.

    orjson is about ten times faster than ``json`` here, where every action writes two of these.
    It refuses integers past 64 bits, which ``json`` takes.
    """
    try:
        return orjson.dumps(value if type(value) is dict else dict(value), default=default).decode()
    except orjson.JSONEncodeError:
        return json.dumps(dict(value), default=default)


def write_memories(conn: Connection, step: int, memories: Mapping[int, Mapping[str, Any]]) -> None:
    """Replace the saved memory of each agent in ``memories`` with its state after ``step``."""
    table = table_of(SavedMemory)
    ids = sorted(memories)
    if ids:
        conn.execute(delete(table).where(member_of(conn, table.c.user_id, ids)))
    rows = [{"user_id": i, "step": step, "memory": _memory_json(memories[i])} for i in ids]
    execute_many(conn, insert(table), rows)


def _memory_json(memory: Mapping[str, Any]) -> str:
    r"""One memory as JSON text, every NUL in its strings replaced (see :mod:`.text`).

    orjson writes a NUL as ``\u0000``; only a memory whose text holds that sequence (a NUL, or
    rarely a literal backslash-u0000) is walked and cleaned, not every memory of every step.
    """
    text = orjson.dumps(dict(memory)).decode()
    return text if "\\u0000" not in text else orjson.dumps(clean_value(dict(memory))).decode()


def write_metrics(
    conn: Connection,
    step: int,
    sim_time: float,
    metrics: Mapping[str, Any],
    actions: Sequence[Action],
    results: Sequence[ActionResult],
) -> None:
    """Store the step's figures, with the action counts every step has.

    Counts by action type are kept with the step so the dashboard charts them from one row per
    step instead of grouping the whole trace.
    """
    failed = sum(1 for r in results if not r.ok)
    by_type = Counter(str(a.type) for a in actions)
    counts = {"actions": len(results), "failed_actions": failed, "actions_by_type": by_type}
    row = {"step": step, "sim_time": sim_time, "metrics": json.dumps(counts | dict(metrics))}
    execute_many(conn, insert(table_of(StepMetrics)), [row])
