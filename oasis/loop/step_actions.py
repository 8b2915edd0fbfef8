"""A step's actions in the order the loop hands them to the platform, each with who took it.

Events' actions first, then people's, then the agents' own (LLM and custom policies, then the
heuristic), then the interviews' answers. The platform applies them in canonical order
(agent id, then each agent's own order) whatever this order is; it decides which slices are
whose: the agents' memories come from theirs, people's outcomes from theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from oasis.agents.policy import AgentContext
from oasis.agents.shards.worker import Decisions
from oasis.core.actions import Action, ActionResult, Actor
from oasis.loop.people import PeopleTurn


@dataclass(frozen=True, slots=True)
class StepActions:
    """The step's actions and their actors (aligned), and the people's turn among them.

    ``events`` counts the events' actions (first); the people's (``turn.actions``) follow.
    """

    actions: list[Action]
    actors: list[Actor]
    events: int
    turn: PeopleTurn

    @property
    def own(self) -> int:
        """Index of the first action an agent's policy decided."""
        return self.events + len(self.turn.actions)

    @classmethod
    def of(
        cls,
        events: Sequence[Action],
        people: PeopleTurn,
        contexts: Sequence[AgentContext],
        decided: Decisions,
        custom_ids: np.ndarray,
    ) -> StepActions:
        """Events', people's and the policies' actions, each marked with who took it."""
        custom = set(custom_ids.tolist())
        actions = [*events, *people.actions]
        actors = [Actor.EVENT] * len(events) + [Actor.PERSON] * len(people.actions)
        for ctx, chosen in zip(contexts, decided.llm, strict=True):
            actions += chosen
            played = Actor.CUSTOM if ctx.profile.agent_id in custom else Actor.LLM
            actors += [played] * len(chosen)
        heuristic = [a for chosen in decided.heuristic for a in chosen]
        actors += [Actor.HEURISTIC] * len(heuristic)
        return cls([*actions, *heuristic], actors, len(events), people)

    def with_interviews(self, answers: Sequence[Action]) -> StepActions:
        """These actions and then the interviews' answers (asked by an event)."""
        actors = [*self.actors, *[Actor.EVENT] * len(answers)]
        return replace(self, actions=[*self.actions, *answers], actors=actors)

    def of_people(self, results: Sequence[ActionResult]) -> list[ActionResult]:
        """The results of people's actions, out of the results of all of them."""
        return list(results[self.events : self.own])

    def outcomes(self, results: Sequence[ActionResult]) -> dict[int, dict[str, Any]]:
        """What became of each of people's commands, by command id, given all the results."""
        return self.turn.outcomes(self.of_people(results))
