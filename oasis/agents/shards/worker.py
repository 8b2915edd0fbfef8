"""A worker decides for the agents it is handed: LLM agents by the LLM policy, others by rules.

A plain class, so it is tested without Ray; a Ray shard actor wraps it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from oasis.agents.custom import CustomPolicies
from oasis.agents.heuristic.policy import HeuristicBatch, decide_heuristic
from oasis.agents.llm.action_schema import TextLimits
from oasis.agents.llm.answer_cache import AnswerCache, CachedChatClient
from oasis.agents.llm.chat import LLMStats
from oasis.agents.llm.client import OpenAIChatClient
from oasis.agents.llm.connections import run as run_async
from oasis.agents.llm.policy import LLMPolicy
from oasis.agents.llm.settings import LLMSettings
from oasis.agents.policy import AgentContext
from oasis.agents.settings import WorkerSpec
from oasis.core.actions import Action, ActionType


@dataclass(frozen=True, slots=True)
class ShardUsage:
    """One shard's figures for one step: its agents, memory, LLM usage, time and restarts.

    ``rss_mb`` is the shard process's resident memory after the step, ``peak_rss_mb`` its peak
    so far; ``restarts`` counts the times the shard was recreated during the step; ``node`` is
    the Ray node it ran on; ``groups`` splits ``stats`` by LLM group.
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
    groups: dict[str, LLMStats] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decisions:
    """A worker's answer for one step: actions per context and per heuristic agent, and usage.

    ``shards`` holds the per-shard figures when the step was decided by Ray shards; ``groups``
    the LLM usage per LLM group ("" is the experiment's own LLM).
    ``llm`` is aligned with the contexts given (LLM and custom-policy agents).
    """

    llm: list[list[Action]]
    heuristic: list[list[Action]]
    stats: LLMStats = field(default_factory=LLMStats)
    shards: tuple[ShardUsage, ...] = ()
    groups: dict[str, LLMStats] = field(default_factory=dict)


class AgentWorker:
    """Decides the actions of a batch of agents for one step."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.seed = spec.seed
        self.rates = spec.heuristic
        self.allowed = frozenset(spec.allowed_actions)
        self.policies = {
            name: make_llm_policy(spec, llm)
            for name, llm in (("", spec.llm), *spec.llm_groups)
            if llm.endpoints
        }
        self.llm = self.policies.get("")
        self.custom = CustomPolicies(spec.custom)

    def decide(
        self, step: int, contexts: Sequence[AgentContext], heuristic: HeuristicBatch | None
    ) -> Decisions:
        """Actions for the LLM agents in ``contexts`` and the heuristic agents in ``heuristic``."""
        return run_async(self.adecide(step, contexts, heuristic))

    async def adecide(
        self, step: int, contexts: Sequence[AgentContext], heuristic: HeuristicBatch | None
    ) -> Decisions:
        """:meth:`decide` inside a running event loop (a Ray async actor)."""
        llm: list[list[Action]] = [[] for _ in contexts]
        custom = [i for i, c in enumerate(contexts) if self.custom.plays(c.profile.agent_id)]
        if custom:
            answers = self.custom.decide([contexts[i] for i in custom])
            for i, actions in zip(custom, answers, strict=True):
                llm[i] = actions
        played = set(custom)
        for name, rows in self._by_group(
            [c for i, c in enumerate(contexts) if i not in played]
        ).items():
            rest = [i for i in range(len(contexts)) if i not in played]
            rows = [rest[r] for r in rows]
            decided = await self.policies[name].adecide([contexts[i] for i in rows])
            for row, actions in zip(rows, decided, strict=True):
                llm[row] = actions
        rule_based = (
            decide_heuristic(self.rates, self.seed, step, heuristic, self.allowed)
            if heuristic is not None and len(heuristic.agent_ids)
            else []
        )
        groups = {name: policy.take_stats() for name, policy in self.policies.items()}
        stats = sum(groups.values(), LLMStats())
        active = {name: counted for name, counted in groups.items() if counted != LLMStats()}
        return Decisions(llm, rule_based, stats, groups=active)

    def _by_group(self, contexts: Sequence[AgentContext]) -> dict[str, list[int]]:
        """Positions of ``contexts`` per LLM group, checked against the groups this worker has."""
        rows: dict[str, list[int]] = {}
        for i, ctx in enumerate(contexts):
            rows.setdefault(ctx.profile.llm_group, []).append(i)
        missing = sorted(set(rows) - set(self.policies))
        if missing:
            raise ValueError(f"LLM agents were given to a worker without LLM group(s) {missing}")
        return rows

    def in_flight(self) -> int:
        """LLM requests being answered right now."""
        return sum(policy.client.in_flight for policy in self.policies.values())

    def interview(self, contexts: Sequence[AgentContext], question: str) -> list[Action]:
        """Ask LLM agents ``question``; agents without an LLM give no answer."""
        return run_async(self.ainterview(contexts, question))

    async def ainterview(self, contexts: Sequence[AgentContext], question: str) -> list[Action]:
        """:meth:`interview` inside a running event loop (a Ray async actor)."""
        asked = [
            Action(c.profile.agent_id, ActionType.INTERVIEW, {"prompt": question}) for c in contexts
        ]
        rows: dict[str, list[int]] = {}
        for i, ctx in enumerate(contexts):
            rows.setdefault(ctx.profile.llm_group, []).append(i)
        for name, part in rows.items():
            if name in self.policies:
                answers = await self.policies[name].ainterview(
                    [contexts[i] for i in part], question
                )
                for row, answer in zip(part, answers, strict=True):
                    asked[row] = answer
        return asked


def make_llm_policy(spec: WorkerSpec, llm: LLMSettings | None = None) -> LLMPolicy:
    """The LLM policy over the OpenAI-compatible endpoints of ``llm`` (default: ``spec.llm``)."""
    llm = llm or spec.llm
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
        limits=TextLimits(llm.text_max_chars, llm.name_max_chars),
        constrain_ids=llm.constrain_ids,
    )
