"""The control-command table: the API process writes commands, the run reads them between steps.

The API and the run are separate processes (``oasis serve`` beside ``oasis run``, or the
docker-compose services); this table is all they share besides the world itself. Pause and
resume are commands too: the latest of them says whether the run is paused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from oasis.platform.faults import in_one_line
from oasis.platform.schema import ControlCommand
from oasis.platform.text import clean_value

PENDING, DONE = "pending", "done"
EXPIRED = "expired"  # accepted, but the run ended before a step took it


@dataclass(frozen=True, slots=True)
class CommandRow:
    """One stored command."""

    command_id: int
    kind: str
    payload: dict[str, Any]
    status: str
    step: int | None
    result: dict[str, Any] | None


def finish_done(
    conn: Connection,
    command_ids: Sequence[int],
    step: int,
    results: Mapping[int, Mapping[str, Any]] | None = None,
) -> None:
    """Mark ``command_ids`` done at ``step``, within ``conn``'s transaction.

    ``results`` holds what became of some of them (a person's action: its outcome).
    """
    results = results or {}
    plain = [i for i in command_ids if i not in results]
    values = {"status": DONE, "step": step, "result": {}}
    if plain:
        conn.execute(
            update(ControlCommand).where(ControlCommand.command_id.in_(plain)).values(values)
        )
    for command_id, result in results.items():
        done = values | {"result": clean_value(dict(result))}
        conn.execute(
            update(ControlCommand).where(ControlCommand.command_id == command_id).values(done)
        )


class CommandStore:
    """Writes and reads of ``control_command`` over an engine that may write."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @in_one_line
    def put(self, kind: str, payload: Mapping[str, Any]) -> int:
        """Store a pending command; return its id."""
        values = {"kind": kind, "payload": clean_value(dict(payload)), "status": PENDING}
        with self.engine.begin() as conn:
            row = conn.execute(insert(ControlCommand).values(values)).inserted_primary_key
        assert row is not None
        return int(row[0])

    @in_one_line
    def pending(self) -> list[CommandRow]:
        """Pending commands other than pause and resume, oldest first."""
        query = (
            select(ControlCommand.__table__)
            .where(ControlCommand.status == PENDING)
            .where(ControlCommand.kind.not_in(("pause", "resume")))
            .order_by(ControlCommand.command_id)
        )
        with self.engine.connect() as conn:
            return [CommandRow(**row) for row in conn.execute(query).mappings()]

    @in_one_line
    def pending_switches(self) -> list[int]:
        """Ids of the pause and resume commands not yet marked done, oldest first."""
        query = (
            select(ControlCommand.command_id)
            .where(ControlCommand.status == PENDING)
            .where(ControlCommand.kind.in_(("pause", "resume")))
            .order_by(ControlCommand.command_id)
        )
        with self.engine.connect() as conn:
            return [int(i) for i in conn.scalars(query)]

    @in_one_line
    def expire_pending(self, last_step: int) -> None:
        """At the run's end, close what no step took: interviews refused, the rest expired."""
        reason = {"error": f"the run ended after step {last_step} before a step took it"}
        pending = ControlCommand.status == PENDING
        interview = ControlCommand.kind == "interview"
        with self.engine.begin() as conn:
            for where, status in ((interview, "refused"), (~interview, EXPIRED)):
                values = {"status": status, "result": reason}
                conn.execute(update(ControlCommand).where(pending & where).values(values))

    @in_one_line
    def finish(
        self, command_id: int, status: str, step: int | None, result: Mapping[str, Any] | None
    ) -> None:
        """Record what became of a command."""
        values = {"status": status, "step": step, "result": clean_value(dict(result or {}))}
        with self.engine.begin() as conn:
            conn.execute(
                update(ControlCommand).where(ControlCommand.command_id == command_id).values(values)
            )

    @in_one_line
    def recorded(self, kinds: Sequence[str], until_step: int) -> list[CommandRow]:
        """Commands of ``kinds`` carried out at or before ``until_step``, by step and id."""
        query = (
            select(ControlCommand.__table__)
            .where(ControlCommand.kind.in_(kinds), ControlCommand.status == DONE)
            .where(ControlCommand.step <= until_step)
            .order_by(ControlCommand.step, ControlCommand.command_id)
        )
        with self.engine.connect() as conn:
            return [CommandRow(**row) for row in conn.execute(query).mappings()]

    @in_one_line
    def of_token(self, kinds: Sequence[str], token_id: int) -> list[CommandRow]:
        """Commands of ``kinds`` given with participant token ``token_id``, oldest first."""
        query = (
            select(ControlCommand.__table__)
            .where(ControlCommand.kind.in_(kinds))
            .where(ControlCommand.payload["token_id"].as_integer() == token_id)
            .order_by(ControlCommand.command_id)
        )
        with self.engine.connect() as conn:
            return [CommandRow(**row) for row in conn.execute(query).mappings()]

    @in_one_line
    def get(self, command_id: int) -> CommandRow | None:
        """The command ``command_id``, or ``None``."""
        query = select(ControlCommand.__table__).where(ControlCommand.command_id == command_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else CommandRow(**row)

    @in_one_line
    def paused(self) -> bool:
        """Whether the latest pause or resume command was a pause."""
        query = (
            select(ControlCommand.kind)
            .where(ControlCommand.kind.in_(("pause", "resume")))
            .order_by(ControlCommand.command_id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.scalar(query) == "pause"

    @in_one_line
    def counts(self) -> tuple[int, int]:
        """Commands waiting for the run, and interviews among them not yet answered."""
        waiting = (ControlCommand.status == PENDING) & ControlCommand.kind.not_in(
            ("pause", "resume")
        )
        open_interviews = (ControlCommand.kind == "interview") & (
            ControlCommand.status.in_((PENDING, "asked"))
        )
        query = select(
            func.count().filter(waiting), func.count().filter(open_interviews)
        ).select_from(ControlCommand)
        with self.engine.connect() as conn:
            row = conn.execute(query).one()
        return int(row[0]), int(row[1])
