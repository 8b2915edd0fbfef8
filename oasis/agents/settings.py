"""The agents' part of an experiment config: LLM endpoints, policies, shards, and a worker's spec.

``config.py`` composes these sections into the experiment file; the agents and their shards get
only what they need from it, as a :class:`WorkerSpec`, never the experiment config itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from oasis.core.actions import ActionType


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HeuristicSettings(_Section):
    """Base rates of the heuristic policy, scaled per post by interest similarity and popularity."""

    post: float = Field(default=0.2, ge=0, le=1)
    like: float = Field(default=0.15, ge=0, le=1)
    dislike: float = Field(default=0.02, ge=0, le=1)
    repost: float = Field(default=0.05, ge=0, le=1)
    comment: float = Field(default=0.05, ge=0, le=1)
    follow: float = Field(
        default=0.1, ge=0, le=1, description="chance to follow a liked post's author"
    )
    comment_vote: float = Field(
        default=0.1, ge=0, le=1, description="chance to vote on a post's top comment"
    )


class LLMSettings(_Section):
    """The OpenAI-compatible endpoints (``vllm serve``) that LLM agents talk to."""

    endpoints: tuple[str, ...] = ()
    model: str = "default"
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


class PolicySettings(_Section):
    """Which agents an LLM plays: ``llm_agents`` by id, plus a seeded ``llm_share`` of the rest.

    Without LLM endpoints every agent is heuristic.
    """

    llm_share: float = Field(default=1.0, ge=0.0, le=1.0)
    llm_agents: tuple[int, ...] = ()
    heuristic: HeuristicSettings = HeuristicSettings()


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
    """

    seed: int
    platform_kind: Literal["twitter", "reddit"]
    allowed_actions: tuple[ActionType, ...]
    llm: LLMSettings = field(default_factory=LLMSettings)
    heuristic: HeuristicSettings = field(default_factory=HeuristicSettings)
