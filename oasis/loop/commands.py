"""Control of a running simulation: the command records and the queue the loop drains.

The API calls a :class:`Controller`; :class:`CommandQueue` is the implementation the step loop
shares with it: the API puts commands in, the loop drains them between steps (the queue is one
of its event sources), honours the pause flag, and posts interview answers back. The loop owns
these records; the API depends on them, not the other way round.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from oasis.core.actions import Action, ActionType
from oasis.loop.events import Interview, StepEvents, World


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

    @property
    def answered(self) -> bool:
        """Whether every interviewed user has answered."""
        return set(self.request.user_ids) <= set(self.answers)


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

    def interview_state(self, request_id: int) -> InterviewState | None:
        """The interview ``request_id`` and its answers so far, or ``None`` if unknown."""
        with self._lock:
            return self._interviews.get(request_id)

    def status(self) -> ControlStatus:
        """The current control state."""
        with self._lock:
            open_count = sum(not s.answered for s in self._interviews.values())
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


class _Maker(Protocol):
    def __call__(self, command_id: int) -> Command: ...
