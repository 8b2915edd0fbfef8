"""The LLM policy: one structured-output request per active agent, one client call per batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from oasis.agents.llm.action_parser import parse_actions, parse_tool_calls
from oasis.agents.llm.action_schema import TextLimits, action_tools, response_format
from oasis.agents.llm.chat import ChatRequest, ChatResult, LLMClient, LLMStats
from oasis.agents.llm.connections import run as run_async
from oasis.agents.llm.prompts import (
    PlatformKind,
    build_interview_messages,
    build_messages,
    interview_system_prompt,
    system_prompt,
)
from oasis.agents.llm.shown_ids import shown_ids
from oasis.agents.observation import Observation
from oasis.agents.policy import AgentContext
from oasis.core.actions import Action, ActionType
from oasis.core.arrays import distinct
from oasis.core.rng import Stream, uniform

_PURPOSES = (_DECIDE, _INTERVIEW) = (0, 1)


def request_seeds(
    run_seed: int, step: int, agent_ids: Sequence[int] | np.ndarray, purpose: int = _DECIDE
) -> list[int]:
    """The sampling seed of each agent's request at one step, 31 bits, one stream per purpose.

    Counter-based draws (:func:`oasis.core.rng.uniform`), computed for a whole batch at once.
    """
    ids = np.asarray(agent_ids, np.int64)
    draws = uniform(run_seed, Stream.LLM, step, ids, draws=len(_PURPOSES))[:, purpose]
    return (draws * 2**31).astype(np.int64).tolist()  # type: ignore[no-any-return]


def _seeds(run_seed: int, agents: Sequence[AgentContext], purpose: int) -> list[int]:
    """:func:`request_seeds` for agents that may observe different steps."""
    steps = np.array([a.observation.step for a in agents], np.int64)
    ids = np.array([a.profile.agent_id for a in agents], np.int64)
    seeds = np.zeros(len(agents), np.int64)
    for step in distinct(steps):
        rows = steps == step
        seeds[rows] = request_seeds(run_seed, int(step), ids[rows], purpose)
    return seeds.tolist()


class LLMPolicy:
    """Decides with an LLM: each agent's answer is parsed into actions or kept as do_nothing.

    Args:
        client: any :class:`~oasis.agents.llm.chat.LLMClient`.
        kind: ``"twitter"`` or ``"reddit"``, for the platform rules in the system prompt.
        allowed: the actions offered to the model.
        max_actions: the most actions one agent may take in a step.
        tools: ask for tool calls instead of a ``json_schema`` response format.
        run_seed: the run's seed; each request's seed derives from it, the step and the agent.
        max_tokens: the completion limit of one decision.
        limits: the ``maxLength`` of text arguments in the answer schema.
        constrain_ids: limit each request's id arguments to the ids its agent was shown.

    In JSON-schema mode, with ``constrain_ids``, each request's schema names only the ids its
    agent was shown (:mod:`oasis.agents.llm.shown_ids`); the messages, and so the prompt prefix the
    server caches, are the same either way. A server that compiles a grammar per schema compiles
    one per request then: README, "The answer schema" gives the cost and why it is the default.
    """

    def __init__(
        self,
        client: LLMClient,
        kind: PlatformKind,
        allowed: Sequence[ActionType],
        *,
        max_actions: int = 3,
        tools: bool = False,
        run_seed: int = 0,
        max_tokens: int = 512,
        limits: TextLimits | None = None,
        constrain_ids: bool = True,
    ) -> None:
        self.client = client
        self.kind: PlatformKind = kind
        self.allowed = tuple(allowed)
        self.max_actions = max_actions
        self.run_seed = run_seed
        self.max_tokens = max_tokens
        self.limits = limits or TextLimits()
        self.constrain_ids = constrain_ids
        self.system = system_prompt(kind, self.allowed, max_actions, tools)
        self.tools = action_tools(self.allowed, self.limits) if tools else None
        self._stats = LLMStats()

    def decide(self, agents: Sequence[AgentContext]) -> list[list[Action]]:
        """One list of actions per agent; from code that is not async."""
        return run_async(self.adecide(agents))

    async def adecide(self, agents: Sequence[AgentContext]) -> list[list[Action]]:
        """One list of actions per agent, with one ``complete`` call for the whole batch."""
        seeds = _seeds(self.run_seed, agents, _DECIDE)
        rendered: dict[int, str] = {}  # feed entries shared between the batch's prompts
        results = await self.client.complete(
            [self._request(a, seed, rendered) for a, seed in zip(agents, seeds, strict=True)]
        )
        parsed = [self._parse(r) for r in results]
        invalid = sum(bad for _, bad in parsed)
        answered = sum(r.error is None for r in results)
        self._stats += replace(LLMStats.of(results), invalid_outputs=invalid, answers=answered)
        return [actions for actions, _ in parsed]

    def interview(self, agents: Sequence[AgentContext], question: str) -> list[Action]:
        """Ask every agent ``question``; one INTERVIEW action each, ``response`` when answered."""
        return run_async(self.ainterview(agents, question))

    async def ainterview(self, agents: Sequence[AgentContext], question: str) -> list[Action]:
        """Async :meth:`interview`; a failed request gives an INTERVIEW without ``response``."""
        system = interview_system_prompt(self.kind)
        requests = [
            ChatRequest(
                a.profile.agent_id,
                build_interview_messages(system, a.profile, a.memory, question),
                max_tokens=self.max_tokens,
                seed=seed,
            )
            for a, seed in zip(agents, _seeds(self.run_seed, agents, _INTERVIEW), strict=True)
        ]
        results = await self.client.complete(requests)
        self._stats += LLMStats.of(results)
        return [_interview_action(r, question) for r in results]

    def take_stats(self) -> LLMStats:
        """Usage since the last call, with ``invalid_outputs`` counted; then reset."""
        stats, self._stats = self._stats, LLMStats()
        return stats

    def response_format_for(self, observation: Observation) -> dict[str, Any] | None:
        """The answer schema of one agent's decision (None in tools mode)."""
        if self.tools:
            return None
        ids = shown_ids(observation) if self.constrain_ids else None
        return response_format(self.allowed, self.max_actions, self.limits, ids)

    def _request(self, agent: AgentContext, seed: int, rendered: dict[int, str]) -> ChatRequest:
        return ChatRequest(
            agent.profile.agent_id,
            build_messages(
                self.system, agent.profile, agent.memory, agent.observation, rendered=rendered
            ),
            response_format=self.response_format_for(agent.observation),
            tools=self.tools,
            max_tokens=self.max_tokens,
            seed=seed,
        )

    def _parse(self, result: ChatResult) -> tuple[list[Action], bool]:
        """The actions of one result, and whether a received answer failed to parse."""
        if result.error is not None:
            raw = {"raw": f"error: {result.error}"}
            return [Action(result.agent_id, ActionType.DO_NOTHING, raw)], False
        if result.tool_calls:
            actions, reason = parse_tool_calls(
                result.agent_id, result.tool_calls, self.allowed, self.max_actions
            )
        else:
            actions, reason = parse_actions(
                result.agent_id, result.text or "", self.allowed, self.max_actions
            )
        return actions, reason is not None


def _interview_action(result: ChatResult, question: str) -> Action:
    args = {"prompt": question}
    if result.error is None:
        args["response"] = result.text or ""
    return Action(result.agent_id, ActionType.INTERVIEW, args)
