"""Custom policies: classes of one's own, named ``module:Class`` in the experiment file.

A worker builds each one once (``Class(**options)``) and hands it the contexts of its agents
every step, exactly as the LLM policy gets its own: observations in, actions out. What comes
back is validated like any agent's: an action for another agent, of an unknown type, with bad
arguments or a sign-up becomes a ``do_nothing`` that keeps the reason in the trace, and a policy
that raises leaves its agents doing nothing that step (the reason kept the same way).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from oasis.agents.policy import AgentContext, Policy, action_problem
from oasis.agents.settings import CustomPolicySpec
from oasis.core.actions import Action, ActionType
from oasis.errors import OasisError


class CustomPolicyError(OasisError, ValueError):
    """A custom policy's ``module:Class`` cannot be imported or built."""


def load_policy(target: str, options: dict[str, Any]) -> Policy:
    """Import ``module:Class`` and build it with ``options`` as keyword arguments."""
    module_name, _, attr = target.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            found = getattr(found, part)
        policy = found(**options)
    except (ImportError, AttributeError, TypeError) as exc:
        raise CustomPolicyError(f"custom policy {target}: {exc}") from exc
    if not callable(getattr(policy, "decide", None)):
        raise CustomPolicyError(f"custom policy {target} has no decide(agents) method")
    return policy  # type: ignore[no-any-return]


class CustomPolicies:
    """Every custom policy of a run, routing each agent's context to the policy that plays it."""

    def __init__(self, specs: Sequence[CustomPolicySpec]) -> None:
        self.specs = tuple(specs)
        self.policies = [load_policy(s.policy, s.options) for s in self.specs]
        self.owner = {a: i for i, s in enumerate(self.specs) for a in s.agent_ids}

    def plays(self, agent_id: int) -> bool:
        """Whether a custom policy plays ``agent_id``."""
        return agent_id in self.owner

    def decide(self, contexts: Sequence[AgentContext]) -> list[list[Action]]:
        """Validated actions for ``contexts`` (all played by custom policies), aligned by index."""
        decided: list[list[Action]] = [[] for _ in contexts]
        for index, policy in enumerate(self.policies):
            rows = [i for i, c in enumerate(contexts) if self.owner[c.profile.agent_id] == index]
            if not rows:
                continue
            mine = [contexts[i] for i in rows]
            try:
                answers = policy.decide(mine)
                if len(answers) != len(mine):
                    raise ValueError(f"{len(answers)} decisions for {len(mine)} agents")
            except Exception as exc:  # one policy's fault stays its agents'
                reason = f"{self.specs[index].name} failed: {type(exc).__name__}: {exc}"
                answers = [[_nothing(c.profile.agent_id, reason)] for c in mine]
            for row, ctx, actions in zip(rows, mine, answers, strict=True):
                decided[row] = validated(self.specs[index].name, ctx.profile.agent_id, actions)
        return decided


def validated(name: str, agent_id: int, actions: Sequence[Any]) -> list[Action]:
    """``actions`` with each invalid one replaced by a do_nothing naming what was wrong."""
    checked = []
    for action in actions:
        problem = action_problem(agent_id, action)
        if problem is None and action.type is ActionType.SIGN_UP:
            problem = "sign_up is not an agent choice"
        checked.append(action if problem is None else _nothing(agent_id, f"{name}: {problem}"))
    return checked or [Action(agent_id, ActionType.DO_NOTHING, {})]


def _nothing(agent_id: int, reason: str) -> Action:
    return Action(agent_id, ActionType.DO_NOTHING, {"raw": reason[:500]})
