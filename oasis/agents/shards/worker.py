"""A worker decides for the agents it is handed: LLM agents by the LLM policy, others by rules.

A plain class, so it is tested without Ray; a Ray shard actor wraps it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from oasis.agents.answer_cache import AnswerCache, CachedChatClient
from oasis.agents.chat import LLMStats
from oasis.agents.heuristic import HeuristicBatch, decide_heuristic
from oasis.agents.llm_client import OpenAIChatClient
from oasis.agents.llm_policy import LLMPolicy
from oasis.agents.policy import AgentContext
from oasis.agents.settings import WorkerSpec
from oasis.core.actions import Action, ActionType


@dataclass(frozen=True, slots=True)
class ShardUsage:
    """One shard's figures for one step: its agents, memory, LLM usage, time and restarts.

    ``rss_mb`` is the shard process's resident memory after the step, ``peak_rss_mb`` its peak
    so far; ``restarts`` counts the times the shard was recreated during the step; ``node`` is
    the Ray node it ran on.
    """

    shard: int
    llm_agents: int
    heuristic_agents: int
    rss_mb: float
    peak_rss_mb: float
    seconds: float
    stats: LLMStats = field(default_factory=LLMStats)
    restarts: int = 0
    node: str = ""


@dataclass(frozen=True, slots=True)
class Decisions:
    """A worker's answer for one step: actions per LLM agent and per heuristic agent, and usage.

    ``shards`` holds the per-shard figures when the step was decided by Ray shards.
    """

    llm: list[list[Action]]
    heuristic: list[list[Action]]
    stats: LLMStats = field(default_factory=LLMStats)
    shards: tuple[ShardUsage, ...] = ()


class AgentWorker:
    """Decides the actions of a batch of agents for one step."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.seed = spec.seed
        self.rates = spec.heuristic
        self.allowed = frozenset(spec.allowed_actions)
        self.llm = make_llm_policy(spec) if spec.llm.endpoints else None

    def decide(
        self, step: int, contexts: Sequence[AgentContext], heuristic: HeuristicBatch | None
    ) -> Decisions:
        """Actions for the LLM agents in ``contexts`` and the heuristic agents in ``heuristic``."""
        return asyncio.run(self.adecide(step, contexts, heuristic))

    async def adecide(
        self, step: int, contexts: Sequence[AgentContext], heuristic: HeuristicBatch | None
    ) -> Decisions:
        """:meth:`decide` inside a running event loop (a Ray async actor)."""
        llm: list[list[Action]] = []
        if contexts:
            if self.llm is None:
                raise ValueError("LLM agents were given to a worker without LLM endpoints")
            llm = await self.llm.adecide(contexts)
        rule_based = (
            decide_heuristic(self.rates, self.seed, step, heuristic, self.allowed)
            if heuristic is not None and len(heuristic.agent_ids)
            else []
        )
        stats = self.llm.take_stats() if self.llm else LLMStats()
        return Decisions(llm, rule_based, stats)

    def in_flight(self) -> int:
        """LLM requests being answered right now."""
        return self.llm.client.in_flight if self.llm is not None else 0

    def interview(self, contexts: Sequence[AgentContext], question: str) -> list[Action]:
        """Ask LLM agents ``question``; agents without an LLM give no answer."""
        return asyncio.run(self.ainterview(contexts, question))

    async def ainterview(self, contexts: Sequence[AgentContext], question: str) -> list[Action]:
        """:meth:`interview` inside a running event loop (a Ray async actor)."""
        if self.llm is not None:
            return await self.llm.ainterview(contexts, question)
        return [
            Action(c.profile.agent_id, ActionType.INTERVIEW, {"prompt": question}) for c in contexts
        ]


def make_llm_policy(spec: WorkerSpec) -> LLMPolicy:
    """The LLM policy over the configured OpenAI-compatible endpoints."""
    llm = spec.llm
    client = OpenAIChatClient(
        llm.endpoints,
        llm.model,
        api_key=llm.api_key,
        max_concurrency=llm.max_concurrency,
        timeout_s=llm.timeout_s,
        max_retries=llm.max_retries,
        temperature=llm.temperature,
    )
    cached = client if llm.cache is None else CachedChatClient(client, AnswerCache(llm.cache))
    return LLMPolicy(
        cached,
        spec.platform_kind,
        spec.allowed_actions,
        max_actions=llm.max_actions,
        tools=llm.tools,
        run_seed=spec.seed,
        max_tokens=llm.max_tokens,
    )
