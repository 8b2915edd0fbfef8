"""The experiment config: one typed YAML file, the only place that reads YAML or the environment.

Unknown keys and bad values are rejected with a message that names the key. Relative paths are
taken relative to the YAML file; ``builtin:`` paths point into the seed data shipped with the
package. Three environment variables override the file, so one experiment file runs on a laptop
and on a cluster: ``OASIS_DATABASE_URL``, ``OASIS_LLM_ENDPOINTS`` (comma-separated) and
``RAY_ADDRESS``.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from oasis.core.actions import ActionType
from oasis.platform.settings import PlatformSettings
from oasis.recsys.settings import RecsysSettings

BUILTIN_DATA = Path(__file__).parent / "datasets" / "data"


class ConfigError(ValueError):
    """The experiment file is missing, not YAML, or fails validation; the message names the key."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PopulationSettings(_Section):
    """Where the agents come from.

    ``synthetic`` grows ``n_users`` from the real profiles in ``path`` (a Twitter user CSV);
    ``twitter`` and ``reddit`` load a seed file as it is; ``topic`` loads one Twitter15/16 topic
    (``topic`` names it) from ``topics_path`` and the user files in ``path`` (a folder).
    """

    source: Literal["synthetic", "twitter", "reddit", "topic"] = "synthetic"
    path: Path = Path("builtin:twitter/user_all_id_time.csv")
    n_users: int = Field(default=100, ge=1, le=10_000_000)
    follows_per_user: int = Field(default=10, ge=1)
    core_size: int | None = Field(default=None, ge=1)
    interests_path: Path | None = None
    topic: str | None = None
    topics_path: Path = Path("builtin:twitter/all_topics.csv")
    products_path: Path | None = None

    @model_validator(mode="after")
    def _topic_named(self) -> PopulationSettings:
        if self.source == "topic" and not self.topic:
            raise ValueError("source 'topic' needs 'topic' (a topic_name of all_topics.csv)")
        return self


class ClockSettings(_Section):
    """Simulated time: when step 0 starts and how long a step lasts."""

    start: datetime | None = Field(
        default=None, description="default: the seed's start, else 2026-01-01"
    )
    minutes_per_step: float = Field(default=60.0, gt=0)


class ActivationSettings(_Section):
    """Who is active in a step: ``profile`` uses the seed's hourly activity, else ``uniform``."""

    kind: Literal["profile", "uniform"] = "uniform"
    probability: float = Field(default=0.2, ge=0.0, le=1.0)


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


class EventSettings(_Section):
    """Something scheduled: a post by ``user_id``, a new agent, or an interview of agents."""

    step: int = Field(ge=0)
    kind: Literal["post", "sign_up", "interview"]
    user_id: int | None = None
    content: str | None = None
    user_name: str | None = None
    name: str | None = None
    bio: str = ""
    question: str | None = None
    user_ids: tuple[int, ...] = ()
    every: int | None = Field(default=None, ge=1, description="repeat every N steps (interviews)")

    @model_validator(mode="after")
    def _complete(self) -> EventSettings:
        needs = {
            "post": ("user_id", "content"),
            "sign_up": ("user_id", "user_name", "name"),
            "interview": ("question",),
        }[self.kind]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} event needs {', '.join(missing)}")
        return self


class HerdSettings(_Section):
    """OASIS's Reddit herd-effect setup: seed posts whose first comment gets a planted vote.

    ``path`` holds the posts and comments with their group (``up``, ``down`` or ``control``);
    ``threads`` keeps only the first N of them.
    """

    path: Path = Path("builtin:reddit/counterfactual_36.json")
    threads: int | None = Field(default=None, ge=1)


class ExperimentConfig(_Section):
    """One experiment: the platform, its population, recommender, agents, schedule and outputs."""

    name: str = "experiment"
    seed: int = 0
    steps: int = Field(default=10, ge=1)
    platform: PlatformSettings = PlatformSettings()
    database: str | None = Field(
        default=None, description="default: SQLite file in the output folder"
    )
    output: Path = Path("results")
    population: PopulationSettings = PopulationSettings()
    clock: ClockSettings = ClockSettings()
    activation: ActivationSettings = ActivationSettings()
    recsys: RecsysSettings = RecsysSettings()
    candidate_window_steps: int = Field(
        default=24, ge=1, description="how far back feeds look for posts"
    )
    actions: tuple[ActionType, ...] | None = Field(
        default=None, description="default: by platform kind"
    )
    policy: PolicySettings = PolicySettings()
    llm: LLMSettings = LLMSettings()
    ray: RaySettings = RaySettings()
    events: tuple[EventSettings, ...] = ()
    herd: HerdSettings | None = None

    @field_validator("actions")
    @classmethod
    def _no_sign_up(cls, value: tuple[ActionType, ...] | None) -> tuple[ActionType, ...] | None:
        if value is not None and ActionType.SIGN_UP in value:
            raise ValueError("sign_up is not an agent choice; schedule a sign_up event")
        return value

    @property
    def database_url(self) -> str:
        """The database URL: the file's, else a SQLite file in the output folder."""
        return self.database or f"sqlite:///{(self.output / 'oasis.db').resolve()}"

    @property
    def allowed_actions(self) -> tuple[ActionType, ...]:
        """The actions agents may choose."""
        return self.actions or DEFAULT_ACTIONS[self.platform.kind]


_SHARED = (
    ActionType.DO_NOTHING,
    ActionType.CREATE_POST,
    ActionType.LIKE_POST,
    ActionType.DISLIKE_POST,
    ActionType.CREATE_COMMENT,
    ActionType.FOLLOW,
    ActionType.SEARCH_POSTS,
    ActionType.TREND,
)
DEFAULT_ACTIONS: dict[str, tuple[ActionType, ...]] = {
    "twitter": (
        *_SHARED,
        ActionType.REPOST,
        ActionType.QUOTE_POST,
        ActionType.UNFOLLOW,
        ActionType.MUTE,
    ),
    "reddit": (
        *_SHARED,
        ActionType.LIKE_COMMENT,
        ActionType.DISLIKE_COMMENT,
        ActionType.SEARCH_USER,
    ),
}


def load_config(path: str | Path, environ: dict[str, str] | None = None) -> ExperimentConfig:
    """Read, override from the environment and validate an experiment file.

    Raises:
        ConfigError: the file is missing, not YAML, or invalid (the message names the key).
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys")
    raw = _override(raw, os.environ if environ is None else environ)
    try:
        config = ExperimentConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from exc
    return _resolve_paths(config, path.parent)


def _override(raw: dict[str, Any], environ: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    raw = dict(raw)
    if url := environ.get("OASIS_DATABASE_URL"):
        raw["database"] = url
    if endpoints := environ.get("OASIS_LLM_ENDPOINTS"):
        raw["llm"] = dict(raw.get("llm") or {}, endpoints=endpoints.split(","))
    if address := environ.get("RAY_ADDRESS"):
        raw["ray"] = dict(raw.get("ray") or {}, mode="cluster", address=address)
    return raw


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors()
    )


def resolve_path(path: Path, base: Path) -> Path:
    """``builtin:x`` -> the shipped seed file x; a relative path -> relative to ``base``."""
    text = str(path)
    if text.startswith("builtin:"):
        return BUILTIN_DATA / text.removeprefix("builtin:")
    return path if path.is_absolute() else (base / path).resolve()


def _resolve_paths(config: ExperimentConfig, base: Path) -> ExperimentConfig:
    pop = config.population
    fields = ("path", "topics_path", "interests_path", "products_path")
    resolved = {f: resolve_path(getattr(pop, f), base) for f in fields if getattr(pop, f)}
    update: dict[str, Any] = {
        "population": pop.model_copy(update=resolved),
        "output": resolve_path(config.output, base),
    }
    if config.herd is not None:
        update["herd"] = config.herd.model_copy(
            update={"path": resolve_path(config.herd.path, base)}
        )
    return config.model_copy(update=update)
