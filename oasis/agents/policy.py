"""The policy seam: a batch of active agents in, one list of actions per agent out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from oasis.agents.memory import AgentMemory
from oasis.agents.observation import Observation
from oasis.agents.profile import Profile
from oasis.core.actions import Action, ActionType, validate_args


@dataclass(frozen=True, slots=True)
class AgentContext:
    """What a policy needs to decide for one active agent at one step."""

    profile: Profile
    memory: AgentMemory
    observation: Observation


class Policy(Protocol):
    """Decides the actions of a batch of active agents, one list per agent, in order."""

    def decide(self, agents: Sequence[AgentContext]) -> list[list[Action]]:
        """One list of actions per agent of ``agents``, aligned by index; never raises."""
        ...


class PolicyContractError(AssertionError):
    """Raised by :func:`check_policy` when a policy breaks the batch contract."""


def check_decisions(agents: Sequence[AgentContext], decisions: Sequence[Sequence[Action]]) -> None:
    """Check one batch: a non-empty list per agent, the agent's own id, every action valid."""
    if len(decisions) != len(agents):
        raise PolicyContractError(f"{len(decisions)} decisions for {len(agents)} agents")
    for ctx, actions in zip(agents, decisions, strict=True):
        agent_id = ctx.profile.agent_id
        if not actions:
            raise PolicyContractError(f"agent {agent_id}: no action (use do_nothing)")
        for action in actions:
            problem = action_problem(agent_id, action)
            if problem:
                raise PolicyContractError(f"agent {agent_id}: {problem}")


def check_policy(policy: Policy, agents: Sequence[AgentContext]) -> list[list[Action]]:
    """Run ``policy`` on ``agents``, check the contract, and return its decisions."""
    decisions = policy.decide(agents)
    check_decisions(agents, decisions)
    return decisions


def action_problem(agent_id: int, action: object) -> str | None:
    """Why ``action`` is not a valid action of ``agent_id`` (None when it is)."""
    if not isinstance(action, Action):
        return f"not an Action: {type(action).__name__}"
    if action.agent_id != agent_id:
        return f"action for agent {action.agent_id}"
    if not isinstance(action.type, ActionType):
        return f"type is not an ActionType: {action.type!r}"
    return validate_args(action.type, action.args)
