"""The agents' part of an experiment config: LLM endpoints, policies, shards, and a worker's spec.

``config.py`` composes these sections into the experiment file; the agents and their shards get
only what they need from it, as a :class:`WorkerSpec`, never the experiment config itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from oasis.core.actions import ActionType


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HeuristicSettings(_Section):
    """The heuristic policy's rates, per feed entry, scaled by interest and popularity.

    For an entry with interest similarity ``sim`` (cosine of the reader's interest vector and
    the post) and popularity ``pop`` (likes plus shares of the original):
    ``affinity = clip(affinity_base + sim, 0, affinity_max)`` and
    ``boost = 1 + popularity_weight * log1p(pop)``; like, repost and comment happen with their
    rate x affinity x boost; dislike with its rate x ``clip(-dislike_slope * sim, 0, 1)``.
    Nothing is done twice: what the reader already liked, disliked, reposted, followed or voted
    on (the entry's reader state) is skipped, and so are the reader's own posts.

    Every probability and weight of the heuristic policy is a named field here; its description
    says what it does and where its default comes from. Sources cited:

    - [OASIS] Yang et al., "OASIS: Open Agent Social Interaction Simulations with One Million
      Agents", arXiv 2411.11581 (the action space and the information-spread and herd experiments).
    - [Muchnik13] Muchnik, Aral and Taylor, "Social influence bias: a randomized experiment",
      Science 341:647 (2013): one planted up-vote made the next rater 32% more likely to up-vote.
    - [Kwak10] Kwak, Lee, Park and Moon, "What is Twitter, a social network or a news media?",
      WWW 2010: half of all retweets happen within an hour of the tweet, 75% within a day.
    - [seed] the OASIS seed data (``oasis/datasets/data``), figures computed in the description.

    Where no study gives a figure the description says so and says what the value was chosen for.
    """

    post: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="chance that an active agent writes a post of its own in a step. No study "
        "gives a per-session figure; chosen so that a synthetic population keeps its feeds "
        "supplied with fresh posts (a fifth of the active users post)",
    )
    like: float = Field(
        default=0.15,
        ge=0,
        le=1,
        description="base chance to like a feed entry. No source: no per-view figure is "
        "published for rule-based agents; chosen so that likes outnumber reposts three to one",
    )
    dislike: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="base chance to dislike an entry far from one's interests (Reddit votes). "
        "No source; chosen small, as down-votes are the rarer vote on the site [Muchnik13] "
        "studied",
    )
    repost: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="base chance to repost a feed entry. No published per-view figure for a "
        "synthetic population; topic experiments set it from the topic (see "
        "examples/information_spread.yaml: [seed] every user of a topic file reposted the "
        "source, [Kwak10] half of them within the first hour)",
    )
    comment: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="base chance to comment on an entry; chosen equal to ``repost`` (no source)",
    )
    follow: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="chance to follow the original's author after liking it; no source, chosen "
        "so that follow graphs grow slowly over a run",
    )
    comment_vote: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="chance to vote on each comment shown under an entry; no source, chosen so "
        "that herd-effect threads collect votes within a few steps",
    )
    affinity_base: float = Field(
        default=0.5,
        ge=0,
        description="affinity of an entry at zero interest similarity; with ``affinity_max`` "
        "it bounds how much interest matters (x0 to x3 around the base rate). No source",
    )
    affinity_max: float = Field(default=1.5, gt=0, description="the most affinity can be")
    popularity_weight: float = Field(
        default=0.1,
        ge=0,
        description="weight of log(1 + likes + shares): a post with 1,000 engagements is "
        "acted on 1.7 times as often as one with none. No source; the paper's agents see the "
        "counters and lean towards popular posts [OASIS]",
    )
    dislike_slope: float = Field(
        default=2.0,
        ge=0,
        description="dislike chance rises with -similarity at this slope (full rate at "
        "similarity -0.5); no source",
    )
    conformity: float = Field(
        default=0.0,
        ge=0,
        description="how much a comment's current score sways the side of a vote: up with "
        "probability (1 + tanh(conformity x score + agreement)) / 2. Default 0: no built-in "
        "herd effect. Direction from [Muchnik13]: one planted up-vote raised the next up-vote "
        "chance by 32% (0.5 -> 0.66, conformity 1/3); 0.5 is the earlier heuristic's lean",
    )


class LLMSettings(_Section):
    """The OpenAI-compatible endpoints (``vllm serve``) that LLM agents talk to.

    Before step 0 each endpoint must answer ``/models`` and list ``model`` (``default`` accepts
    whatever it serves). ``max_failure_rate`` bounds the share of a step's LLM requests that may
    fail: past it the run stops before the step is committed, and ``--resume`` continues it.
    """

    endpoints: tuple[str, ...] = ()
    model: str = Field(
        default="default", description="the served model's name, checked at start on each endpoint"
    )
    check_model: bool = Field(default=True, description="check /models on each endpoint at start")
    api_key: str = "EMPTY"
    max_concurrency: int = Field(default=64, ge=1)
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    temperature: float = Field(default=0.7, ge=0)
    max_actions: int = Field(default=3, ge=1, le=20)
    max_tokens: int = Field(default=512, ge=16)
    tools: bool = False
    cache: Path | None = Field(
        default=None,
        description="a folder for the exact answer cache, shared by runs that name it; unset: off",
    )
    max_failure_rate: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="a step whose share of failed LLM requests is above this stops the run "
        "before it is committed (resumable); 1.0 never stops",
    )


class CustomPolicySettings(_Section):
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


class PolicySettings(_Section):
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


class RaySettings(_Section):
    """Agent shards: ``mode`` none (in-process), local (a Ray started by the run) or cluster."""

    mode: Literal["none", "local", "cluster"] = "none"
    address: str | None = None
    shards: int = Field(default=1, ge=1)
    cpus_per_shard: float = Field(default=1.0, gt=0)


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
