"""Control of a running simulation: the command records and the sources the loop drains.

The API calls a :class:`Controller`; the loop reads a :class:`CommandSource` (one of its event
sources). Two classes are both: :class:`StoredCommands`, over the database's control-command
table, for an API in a process of its own (``oasis run --serve``, ``oasis serve``, the
docker-compose services), and :class:`CommandQueue`, in memory, for an API and a loop in one
process (tests, notebooks). The API puts commands in, the loop takes them between steps,
honours the pause flag, and posts interview answers back. The loop owns these records; the API
depends on them, not the other way round.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from oasis.core.actions import Action, ActionType
from oasis.loop.events import Interview, StepEvents, World
from oasis.loop.people import KINDS as PERSON_KINDS
from oasis.loop.people import person_command
from oasis.loop.people_desk import PeopleDesk
from oasis.platform.commands import CommandRow, CommandStore


@dataclass(frozen=True, slots=True)
class InjectPost:
    """Publish ``content`` as ``user_id`` at the next step."""

    command_id: int
    user_id: int
    content: str


@dataclass(frozen=True, slots=True)
class InjectAgent:
    """Sign up a new agent at the next step."""

    command_id: int
    user_name: str
    name: str
    bio: str


Command = InjectPost | InjectAgent | Interview


@dataclass(frozen=True, slots=True)
class ControlStatus:
    """Whether the loop is paused and what waits for it."""

    paused: bool
    pending_commands: int
    open_interviews: int


@dataclass(frozen=True, slots=True)
class InterviewState:
    """An interview and the answers received so far, by user id."""

    request: Interview
    answers: Mapping[int, str] = field(default_factory=dict)
    refused: str | None = None

    @property
    def answered(self) -> bool:
        """Whether every interviewed user has answered."""
        return set(self.request.user_ids) <= set(self.answers)

    @property
    def open(self) -> bool:
        """Whether answers are still awaited (neither all answered nor refused)."""
        return self.refused is None and not self.answered


class Controller(Protocol):
    """What the API may ask of a running simulation."""

    def pause(self) -> None:
        """Stop before the next step."""

    def resume(self) -> None:
        """Go on stepping."""

    def inject_post(self, user_id: int, content: str) -> int:
        """Queue a post for the next step; return its command id."""

    def inject_agent(self, user_name: str, name: str, bio: str) -> int:
        """Queue a new agent for the next step; return its command id."""

    def interview(self, user_ids: Sequence[int], question: str) -> int:
        """Queue an interview for the next step; return its request id."""

    def interview_state(self, request_id: int) -> InterviewState | None:
        """The interview ``request_id`` and its answers so far, or ``None`` if unknown."""

    def status(self) -> ControlStatus:
        """The current control state."""

    def people(self) -> PeopleDesk | None:
        """People's side of the queue, where the commands are stored (else ``None``)."""


class CommandSource(Protocol):
    """What the loop reads and reports at each step boundary (besides ``due``, as any source)."""

    def due(self, step: int, world: World) -> StepEvents:
        """The commands for this step as its events."""
        ...

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        """Block while paused; ``True`` when running, ``False`` on timeout."""
        ...

    def answer(self, request_id: int, answers: Mapping[int, str]) -> None:
        """Record answers to an interview."""
        ...

    def refuse(self, request_id: int, reason: str) -> None:
        """Record why an interview gets no answers."""
        ...

    def handed(self) -> Sequence[int]:
        """Stored commands handed to the step being made, to be marked done in its commit."""
        ...

    def wait_for(self, users: set[int], seconds: float) -> None:
        """Wait at most ``seconds`` until each of ``users`` has a command queued by a person."""
        ...


class CommandQueue:
    """A thread-safe :class:`Controller` that the step loop drains between steps."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = threading.Event()
        self._running.set()
        self._pending: list[Command] = []
        self._interviews: dict[int, InterviewState] = {}
        self._last_id = 0

    def pause(self) -> None:
        """Stop before the next step."""
        self._running.clear()

    def resume(self) -> None:
        """Go on stepping."""
        self._running.set()

    @property
    def paused(self) -> bool:
        """Whether the loop should wait before its next step."""
        return not self._running.is_set()

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        """Block the loop while paused; return ``True`` when running, ``False`` on timeout."""
        return self._running.wait(timeout)

    def inject_post(self, user_id: int, content: str) -> int:
        """Queue a post for the next step; return its command id."""
        return self._put(lambda i: InjectPost(i, user_id, content))

    def inject_agent(self, user_name: str, name: str, bio: str) -> int:
        """Queue a new agent for the next step; return its command id."""
        return self._put(lambda i: InjectAgent(i, user_name, name, bio))

    def interview(self, user_ids: Sequence[int], question: str) -> int:
        """Queue an interview for the next step; return its request id."""
        with self._lock:
            self._last_id += 1
            request = Interview(question, tuple(user_ids), self._last_id)
            self._pending.append(request)
            self._interviews[self._last_id] = InterviewState(request)
            return self._last_id

    def _put(self, make: _Maker) -> int:
        with self._lock:
            self._last_id += 1
            self._pending.append(make(self._last_id))
            return self._last_id

    def drain(self) -> list[Command]:
        """Take every queued command, in the order they came (called by the loop)."""
        with self._lock:
            commands, self._pending = self._pending, []
        return commands

    def due(self, step: int, world: World) -> StepEvents:
        """Every queued command as the step's events (an event source; drains the queue)."""
        return command_events(self.drain(), world.next_agent_id)

    def answer(self, request_id: int, answers: Mapping[int, str]) -> None:
        """Record answers to interview ``request_id`` (called by the loop)."""
        with self._lock:
            state = self._interviews[request_id]
            merged = {**state.answers, **answers}
            self._interviews[request_id] = InterviewState(state.request, merged)

    def refuse(self, request_id: int, reason: str) -> None:
        """Record why interview ``request_id`` will get no answers (called by the loop)."""
        with self._lock:
            state = self._interviews[request_id]
            self._interviews[request_id] = InterviewState(state.request, state.answers, reason)

    def handed(self) -> Sequence[int]:
        """None: drained commands are gone from the queue, and none is stored."""
        return ()

    def wait_for(self, users: set[int], seconds: float) -> None:
        """No wait: people join only runs whose commands are stored."""

    def people(self) -> PeopleDesk | None:
        """None: people's commands and outcomes need the stored queue's record."""
        return None

    def interview_state(self, request_id: int) -> InterviewState | None:
        """The interview ``request_id`` and its answers so far, or ``None`` if unknown."""
        with self._lock:
            return self._interviews.get(request_id)

    def status(self) -> ControlStatus:
        """The current control state."""
        with self._lock:
            open_count = sum(s.open for s in self._interviews.values())
            return ControlStatus(self.paused, len(self._pending), open_count)


def command_events(commands: Sequence[Command], next_agent_id: int) -> StepEvents:
    """Posts, sign-ups and interviews asked through the API; new agents get the next free ids."""
    events, next_id = StepEvents(), next_agent_id
    for command in commands:
        if isinstance(command, InjectPost):
            args = {"content": command.content}
            events.actions.append(Action(command.user_id, ActionType.CREATE_POST, args))
        elif isinstance(command, InjectAgent):
            args = {"user_name": command.user_name, "name": command.name, "bio": command.bio}
            events.actions.append(Action(next_id, ActionType.SIGN_UP, args))
            next_id += 1
        else:
            events.interviews.append(command)
    return events


class StoredCommands:
    """A :class:`Controller` and :class:`CommandSource` over the control-command table.

    The API process writes through one instance, the run reads through another. Commands stay
    pending until the step they were handed to commits, which marks them done in its own
    transaction (:meth:`handed`): a run killed before that commit takes them again on resume, and
    one killed after it never does. ``poll_s`` is how often a paused run looks again.
    """

    def __init__(self, store: CommandStore, poll_s: float = 0.2) -> None:
        self.store = store
        self.poll_s = poll_s
        self._handed: list[int] = []

    def pause(self) -> None:
        """Stop before the next step."""
        self.store.put("pause", {})

    def resume(self) -> None:
        """Go on stepping."""
        self.store.put("resume", {})

    def inject_post(self, user_id: int, content: str) -> int:
        """Queue a post for the next step; return its command id."""
        return self.store.put("post", {"user_id": user_id, "content": content})

    def inject_agent(self, user_name: str, name: str, bio: str) -> int:
        """Queue a new agent for the next step; return its command id."""
        return self.store.put("agent", {"user_name": user_name, "name": name, "bio": bio})

    def interview(self, user_ids: Sequence[int], question: str) -> int:
        """Queue an interview for the next step; return its request id."""
        return self.store.put("interview", {"user_ids": list(user_ids), "question": question})

    def interview_state(self, request_id: int) -> InterviewState | None:
        """The interview ``request_id`` and its answers so far, or ``None`` if unknown."""
        row = self.store.get(request_id)
        if row is None or row.kind != "interview":
            return None
        request, result = _command(row), row.result or {}
        assert isinstance(request, Interview)
        answers = {int(u): str(a) for u, a in (result.get("answers") or {}).items()}
        return InterviewState(request, answers, result.get("error"))

    def status(self) -> ControlStatus:
        """The current control state."""
        pending, open_interviews = self.store.counts()
        return ControlStatus(self.store.paused(), pending, open_interviews)

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        """``True`` when running; while paused, wait ``timeout`` (at most) and say ``False``."""
        if not self.store.paused():
            return True
        time.sleep(self.poll_s if timeout is None else min(timeout, self.poll_s))
        return False

    def due(self, step: int, world: World) -> StepEvents:
        """The pending commands, oldest first, as the step's events."""
        rows = self.store.pending()
        # Pause and resume acted before this step; they are done with it, as the rest.
        switches = self.store.pending_switches()
        self._handed = [*switches, *(r.command_id for r in rows if r.kind != "interview")]
        people = [person_command(row) for row in rows if row.kind in PERSON_KINDS]
        control = [_command(row) for row in rows if row.kind not in PERSON_KINDS]
        events = command_events(control, world.next_agent_id)
        return StepEvents(events.actions, events.interviews, people)

    def wait_for(self, users: set[int], seconds: float) -> None:
        """Wait at most ``seconds`` until each of ``users`` has a command queued by a person.

        An action, or stepping away or leaving, is the person's say for the step. Looks every
        ``poll_s``; the pause flag ends the wait too (the run then pauses).
        """
        deadline = time.monotonic() + seconds
        while users and time.monotonic() < deadline and not self.store.paused():
            said = {
                r.payload.get("user_id") for r in self.store.pending() if r.kind in PERSON_KINDS
            }
            if users <= said:
                return
            time.sleep(min(self.poll_s, max(deadline - time.monotonic(), 0.0)))

    def people(self) -> PeopleDesk:
        """People's side of the queue: their joins, actions and what became of them."""
        return PeopleDesk(self.store)

    def answer(self, request_id: int, answers: Mapping[int, str]) -> None:
        """Record answers to interview ``request_id``."""
        result = {"answers": {str(u): a for u, a in answers.items()}}
        self.store.finish(request_id, "answered", None, result)

    def refuse(self, request_id: int, reason: str) -> None:
        """Record why interview ``request_id`` gets no answers."""
        self.store.finish(request_id, "refused", None, {"error": reason})

    def handed(self) -> Sequence[int]:
        """The posts and sign-ups handed to the step being made (interviews are once answered)."""
        return tuple(self._handed)


def _command(row: CommandRow) -> Command:
    """The command record of a stored row."""
    p = row.payload
    if row.kind == "post":
        return InjectPost(row.command_id, int(p["user_id"]), str(p["content"]))
    if row.kind == "agent":
        return InjectAgent(row.command_id, str(p["user_name"]), str(p["name"]), str(p["bio"]))
    return Interview(str(p["question"]), tuple(int(u) for u in p["user_ids"]), row.command_id)


# What a fork queues again at the step each was carried out in: the operator's posts and
# agents, and people's commands (interviews are answered anew, by the answer cache).
REPLAYED = ("post", "agent", *PERSON_KINDS)


class ReplayedCommands(StoredCommands):
    """A parent run's recorded commands, queued again at the step each was carried out in.

    A fork rebuilding its parent's world reads these instead of a live queue: each command goes
    into the fork's own table when its step comes, and is carried out from there as the parent
    carried it out, so the fork's record says the same and a later resume of the fork reads it.
    """

    def __init__(self, rows: Sequence[CommandRow], store: CommandStore) -> None:
        super().__init__(store)
        self.rows = list(rows)

    def due(self, step: int, world: World) -> StepEvents:
        """The commands carried out at ``step`` in the parent, queued and taken again.

        A rebuild cut off in this step left its copies pending: those are taken, not queued twice.
        """
        queued = Counter(_same(row) for row in self.store.pending())
        for row in self.rows:
            if row.step != step:
                continue
            if queued[_same(row)]:
                queued[_same(row)] -= 1
            else:
                self.store.put(row.kind, row.payload)
        return super().due(step, world)

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        """Never paused: the parent's pauses are not replayed."""
        return True

    def wait_for(self, users: set[int], seconds: float) -> None:
        """No wait: the parent's people acted already."""


def _same(row: CommandRow) -> tuple[str, str]:
    """What makes two stored commands the same command: its kind and payload."""
    return row.kind, json.dumps(row.payload, sort_keys=True)


class _Maker(Protocol):
    def __call__(self, command_id: int) -> Command: ...
