"""Event sources: what happens at a step besides the agents' own decisions, behind one protocol.

The seed schedule (:class:`~oasis.loop.schedule.Schedule`), the herd-effect seed threads
(:class:`~oasis.loop.herd_threads.HerdThreads`) and the control queue the API fills
(:class:`~oasis.loop.commands.CommandQueue`) each say, for a step, which actions are applied
before the agents' own and which interviews are asked. The loop asks every source in a fixed
order and applies what they return in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from oasis.core.actions import Action
from oasis.loop.people import PersonCommand
from oasis.platform import Platform


@dataclass(frozen=True, slots=True)
class Interview:
    """A question to ask agents at a step: every LLM agent when ``user_ids`` is empty.

    ``command_id`` is set when the API asked it; the answers go back to the control queue.
    """

    question: str
    user_ids: tuple[int, ...] = ()
    command_id: int | None = None


@dataclass(frozen=True, slots=True)
class StepEvents:
    """What event sources have due at a step.

    Actions applied first, interviews, and people's commands (:mod:`oasis.loop.people`).
    """

    actions: list[Action] = field(default_factory=list)
    interviews: list[Interview] = field(default_factory=list)
    people: list[PersonCommand] = field(default_factory=list)

    def __add__(self, other: StepEvents) -> StepEvents:
        return StepEvents(
            self.actions + other.actions,
            self.interviews + other.interviews,
            self.people + other.people,
        )


@dataclass(frozen=True, slots=True)
class World:
    """What an event source may look at: the committed platform and the next free agent id."""

    platform: Platform
    next_agent_id: int


class EventSource(Protocol):
    """Anything that puts actions or interviews into a step."""

    def due(self, step: int, world: World) -> StepEvents:
        """The actions and interviews due at ``step``."""
        ...


def collect(sources: Sequence[EventSource], step: int, world: World) -> StepEvents:
    """Every source's events at ``step``, in the order of ``sources``."""
    events = StepEvents()
    for source in sources:
        events += source.due(step, world)
    return events
