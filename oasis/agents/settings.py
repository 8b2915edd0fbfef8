"""The agents' part of an experiment config: LLM endpoints, policies, shards, and a worker's spec.

``config.py`` composes these sections into the experiment file; the agents and their shards get
only what they need from it, as a :class:`WorkerSpec`, never the experiment config itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field

from oasis.agents.heuristic.settings import HeuristicSettings
from oasis.agents.llm.settings import LLMSettings
from oasis.core.actions import ActionType
from oasis.core.settings import Section


class CustomPolicySettings(Section):
    """A policy of one's own (``module:Class``) playing chosen agents.

    The class is built as ``Class(**options)`` in each worker (in-process or a Ray shard) and
    implements :class:`oasis.agents.policy.Policy`. Its agents are chosen as LLM agents are:
    ``agents`` (an id list or ``core``), a seeded ``share`` of the rest, or the population's
    seed ``group``. ``always_active`` agents act every step (a moderator bot), others when
    drawn like anyone. Their actions are validated like any other agent's.
    """

    name: str = Field(min_length=1)
    policy: str = Field(pattern=r"^[\w.]+:[\w.]+$", description="module:Class")
    agents: tuple[int, ...] | Literal["core"] = ()
    share: float = Field(default=0.0, ge=0.0, le=1.0)
    group: str | None = None
    always_active: bool = False
    options: dict[str, Any] = Field(default_factory=dict)


class PolicySettings(Section):
    """Which agents an LLM plays: ``llm_agents``, plus a seeded ``llm_share`` of the rest.

    ``llm_agents`` is an id list or ``core``: the population's core accounts (a synthetic
    population's real seed users; in a seed loaded as it is, the ``core_share`` most-followed
    users). Without LLM endpoints every agent is heuristic.
    """

    llm_share: float = Field(default=1.0, ge=0.0, le=1.0)
    llm_agents: tuple[int, ...] | Literal["core"] = ()
    core_share: float = Field(
        default=0.01, gt=0.0, le=1.0, description="the core by follower count, where unmarked"
    )
    heuristic: HeuristicSettings = HeuristicSettings()
    custom: tuple[CustomPolicySettings, ...] = Field(
        default=(), description="policies of one's own for chosen agents (before the LLM's)"
    )


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """All a worker (in-process or a Ray shard) needs to decide for its agents.

    Attributes:
        seed: the run's seed; every draw of a decision derives from it.
        platform_kind: ``twitter`` or ``reddit``, which the prompts describe.
        allowed_actions: what agents may choose.
        llm: the endpoints LLM agents talk to (none: every agent is heuristic).
        heuristic: the heuristic policy's rates.
        llm_groups: other LLMs by group name, for agents whose profile names that group.
        custom: the custom policies and the agents each plays.
    """

    seed: int
    platform_kind: Literal["twitter", "reddit"]
    allowed_actions: tuple[ActionType, ...]
    llm: LLMSettings = field(default_factory=LLMSettings)
    heuristic: HeuristicSettings = field(default_factory=HeuristicSettings)
    llm_groups: tuple[tuple[str, LLMSettings], ...] = ()
    custom: tuple[CustomPolicySpec, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomPolicySpec:
    """A custom policy as a worker builds it: the class, its options and the agents it plays."""

    name: str
    policy: str
    agent_ids: frozenset[int]
    options: dict[str, Any] = field(default_factory=dict)
