"""Where decisions are computed: in this process, or spread over Ray shard actors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from oasis.actions import Action
from oasis.agents.heuristic import HeuristicBatch
from oasis.agents.policy import AgentContext
from oasis.agents.worker import AgentWorker, Decisions
from oasis.config import ExperimentConfig


class AgentPool(Protocol):
    """Decides a step for every active agent, wherever the workers live."""

    def decide(
        self, step: int, contexts: Sequence[AgentContext], heuristic: HeuristicBatch
    ) -> Decisions:
        """Actions aligned with ``contexts`` and with ``heuristic.agent_ids``."""
        ...

    def interview(self, contexts: Sequence[AgentContext], question: str) -> list[Action]:
        """One INTERVIEW action per context."""
        ...

    def close(self) -> None:
        """Release the workers."""
        ...


class LocalPool:
    """One worker in this process: tiny runs, tests, and runs without Ray."""

    def __init__(self, config: ExperimentConfig) -> None:
        self.worker = AgentWorker(config)

    def decide(
        self, step: int, contexts: Sequence[AgentContext], heuristic: HeuristicBatch
    ) -> Decisions:
        """Decide in this process."""
        return self.worker.decide(step, contexts, heuristic)

    def interview(self, contexts: Sequence[AgentContext], question: str) -> list[Action]:
        """Interview in this process."""
        return self.worker.interview(contexts, question)

    def close(self) -> None:
        """Nothing to release."""


def make_pool(config: ExperimentConfig) -> AgentPool:
    """The pool the config asks for."""
    return LocalPool(config)
