"""The experiment config: one typed YAML file, the only place that reads YAML or the environment.

Each package owns its section (``oasis.platform.settings``, ``oasis.recsys.settings``,
``oasis.agents.settings`` and the ``settings`` of ``oasis.agents.llm``, ``.heuristic``,
``.opinions`` and ``.shards``, ``oasis.datasets.settings``, ``oasis.loop.settings``), each built on
:class:`oasis.core.settings.Section`; this module only composes them, loads the file and hands
each part only its own section (the agents' workers get a
:class:`~oasis.agents.settings.WorkerSpec`).

Unknown keys and bad values are rejected with a message that names the key. Relative paths are
taken relative to the YAML file; ``builtin:`` paths point into the seed data shipped with the
package. Four environment variables override the file, so one experiment file runs on a laptop
and on a cluster: ``OASIS_DATABASE_URL``, ``OASIS_LLM_ENDPOINTS`` (comma-separated),
``OASIS_LLM_MODEL`` (the model those endpoints serve) and ``RAY_ADDRESS``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from oasis.agents.llm.groups import LLMGroupSettings
from oasis.agents.llm.settings import LLMSettings
from oasis.agents.opinions.settings import InterviewSettings, OpinionSettings
from oasis.agents.settings import PolicySettings, WorkerSpec
from oasis.agents.shards.settings import RaySettings
from oasis.analysis.settings import AnalysisSettings
from oasis.core.actions import ActionType
from oasis.core.redaction import SECRET, redact_url
from oasis.core.renamed import refuse_renamed
from oasis.core.settings import Section
from oasis.datasets.settings import BUILTIN_DATA, PopulationSettings
from oasis.errors import OasisError
from oasis.loop.settings import (
    ActivationSettings,
    ClockSettings,
    EventSettings,
    HerdSettings,
    HumansSettings,
    SweepSettings,
)
from oasis.platform.settings import PlatformSettings
from oasis.recsys.settings import RecsysSettings


class ConfigError(OasisError, ValueError):
    """The experiment file is missing, not YAML, or fails validation; the message names the key."""


class Lineage(Section):
    """Where a forked run comes from: its parent, and the last step whose world it took.

    ``parent_config`` is the config the parent ran with (with the parent's own lineage, if it
    was a fork too), so the world up to ``at_step`` can be rebuilt and checked.
    """

    parent: str = Field(description="the parent's results folder or database URL")
    at_step: int = Field(ge=0)
    parent_config: dict[str, Any] = Field(default_factory=dict)


class ExperimentConfig(Section):
    """One experiment: the platform, its population, recommender, agents, schedule and outputs."""

    name: str = "experiment"
    seed: int = 0
    seeds: tuple[int, ...] = Field(
        default=(),
        description="run once per seed (each in output/seed_N) and write each cascade curve's "
        "mean and spread; `oasis run --seeds 1-5` does the same",
    )
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
    candidate_window_hours: float = Field(
        default=24.0,
        gt=0,
        description="how far back feeds look for posts, in simulated hours (a post older than "
        "this is no candidate, whatever the step's length). A day: [Kwak10] 75% of retweets "
        "come within a day of the tweet (Kwak et al., WWW 2010)",
    )
    actions: tuple[ActionType, ...] | None = Field(
        default=None, description="default: by platform kind"
    )
    policy: PolicySettings = PolicySettings()
    llm: LLMSettings = LLMSettings()
    ray: RaySettings = RaySettings()
    events: tuple[EventSettings, ...] = ()
    herd: HerdSettings | None = None
    analysis: AnalysisSettings = AnalysisSettings()
    fork: Lineage | None = Field(default=None, description="set by `oasis fork`, not by hand")
    opinions: OpinionSettings | None = Field(
        default=None, description="agents' stances and the opinion model; none: no stances"
    )
    interview: InterviewSettings = InterviewSettings()
    humans: HumansSettings = HumansSettings()
    llm_groups: tuple[LLMGroupSettings, ...] = Field(
        default=(),
        description="groups of agents played by other LLMs (see oasis.agents.llm.groups)",
    )

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        return refuse_renamed(data, _RENAMED)

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

    def worker_spec(self) -> WorkerSpec:
        """What the agents' workers and shards need of this experiment, and nothing more."""
        return WorkerSpec(
            self.seed, self.platform.kind, self.allowed_actions, self.llm, self.policy.heuristic,
            tuple((group.name, group.llm) for group in self.llm_groups),
        )  # fmt: skip


_RENAMED = {
    "candidate_window_steps": "candidate_window_hours (a simulated duration, not a step count)"
}
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


def load_config(
    path: str | Path,
    environ: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> ExperimentConfig:
    """Read, override from the environment and validate an experiment file.

    ``overrides`` are merged into the file's keys before validation, sections key by key
    (``{"policy": {"llm_share": 0.1}}`` keeps the file's other policy keys); the environment
    still has the last word.

    Raises:
        ConfigError: the file is missing, not YAML, or invalid (the message names the key).
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a YAML text file (byte {exc.start} is not UTF-8)") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the experiment file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys")
    raw = _merge(raw, overrides or {})
    raw = _override(raw, os.environ if environ is None else environ)
    return _resolve_paths(validate_experiment(raw, str(path)), path.parent)


def validate_experiment(raw: Mapping[str, Any], source: str) -> ExperimentConfig:
    """An experiment's keys as validated from the file ``source``, paths not yet resolved.

    Raises:
        ConfigError: the keys are invalid, in the line ``oasis run source`` prints.
    """
    try:
        return ExperimentConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc)}") from exc


def stored_experiment(stored: Mapping[str, Any]) -> ExperimentConfig:
    """The experiment a run stored with its database, validated, its paths resolved.

    ``builtin:`` paths point into the shipped seed data; relative ones are taken relative to the
    working directory (a stored config holds the paths its run resolved).

    Raises:
        ConfigError: the stored keys are not a valid experiment (a run of an older version).
    """
    return _resolve_paths(validate_experiment(stored, "the run's stored config"), Path())


def experiment_yaml(raw: Mapping[str, Any]) -> str:
    """An experiment's keys as the YAML text of its file, in the order given."""
    return str(yaml.safe_dump(dict(raw), sort_keys=False, allow_unicode=True))


def api_token(environ: Mapping[str, str] | None = None) -> str | None:
    """The API's bearer token for control endpoints, from ``OASIS_API_TOKEN`` (None if unset)."""
    return (os.environ if environ is None else environ).get("OASIS_API_TOKEN") or None


def load_sweep(path: str | Path) -> SweepSettings:
    """Read and validate a sweep file (see :class:`~oasis.loop.settings.SweepSettings`).

    Raises:
        ConfigError: the file is missing, not YAML, or invalid (the message names the key).
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text()) or {}
        sweep = SweepSettings.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from exc
    if sweep.output is None:
        return sweep
    return sweep.model_copy(update={"output": resolve_path(sweep.output, path.parent)})


def with_settings(config: ExperimentConfig, settings: Mapping[str, Any]) -> ExperimentConfig:
    """``config`` with dotted keys set (``{"recsys.kind": "random"}``), validated again.

    Raises:
        ConfigError: a key or value the experiment file would not accept (the key is named).
    """
    raw = config.model_dump(mode="json")
    for dotted, value in settings.items():
        *parents, leaf = dotted.split(".")
        section = raw
        for key in parents:
            section = section.setdefault(key, {})
            if not isinstance(section, dict):
                raise ConfigError(f"{dotted}: {key} is not a section")
        section[leaf] = value
    try:
        return ExperimentConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from exc


def database_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The database URL in ``OASIS_DATABASE_URL`` (None if unset).

    For ``oasis serve``, and for a results folder whose ``run.json`` keeps no password.
    """
    return (os.environ if environ is None else environ).get("OASIS_DATABASE_URL") or None


def environment_with(values: Mapping[str, str | None]) -> dict[str, str]:
    """This process's environment with ``values`` set (or removed where None), for a child."""
    env = dict(os.environ)
    for key, value in values.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _merge(raw: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = dict(raw)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _override(raw: dict[str, Any], environ: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    raw = dict(raw)
    if url := environ.get("OASIS_DATABASE_URL"):
        raw["database"] = url
    if endpoints := environ.get("OASIS_LLM_ENDPOINTS"):
        raw["llm"] = dict(raw.get("llm") or {}, endpoints=endpoints.split(","))
    if model := environ.get("OASIS_LLM_MODEL"):
        raw["llm"] = dict(raw.get("llm") or {}, model=model)
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
    fields = ("path", "topics_path", "interests_path", "products_path", "activity_path")
    resolved: dict[str, Any] = {
        f: resolve_path(getattr(pop, f), base) for f in fields if getattr(pop, f)
    }
    resolved["groups"] = {name: resolve_path(p, base) for name, p in pop.groups.items()}
    update: dict[str, Any] = {
        "population": pop.model_copy(update=resolved),
        "output": resolve_path(config.output, base),
    }
    if config.llm.cache is not None:
        update["llm"] = config.llm.model_copy(
            update={"cache": resolve_path(config.llm.cache, base)}
        )
    if config.herd is not None:
        update["herd"] = config.herd.model_copy(
            update={"path": resolve_path(config.herd.path, base)}
        )
    return config.model_copy(update=update)


# What a resumed run may change: where it runs and how it reaches its models, nothing that
# decides what happens in the simulated world (the steps still to run may grow).
RESUME_MAY_CHANGE: tuple[str, ...] = (
    "name",
    "output",
    "database",
    "steps",
    "ray",
    "fork",
    "llm.endpoints",
    "llm.api_key",
    "llm.max_concurrency",
    "llm.timeout_s",
    "llm.max_retries",
    "llm.cache",
    "llm.max_failure_rate",
    "llm.max_invalid_rate",
    "humans",
)
# What a fork may change for the steps after the one it was forked at: events (interventions),
# the recommender, who is active, the agents' policies and models, the actions on offer. Not
# the seed, the population, the platform, simulated time or the herd setup: those made the world.
FORK_MAY_CHANGE: tuple[str, ...] = (
    *RESUME_MAY_CHANGE,
    "events",
    "recsys",
    "activation",
    "policy",
    "llm",
    "actions",
    "candidate_window_hours",
)


def config_changes(
    stored: Mapping[str, Any], new: Mapping[str, Any], may_change: Iterable[str]
) -> list[str]:
    """The keys (dotted) whose values differ between two config dicts and may not change.

    ``may_change`` lists keys or whole sections (``"llm"``, ``"llm.endpoints"``). Pure: both
    configs are plain JSON-like mappings (``model_dump(mode="json")``).
    """
    allowed = tuple(may_change)
    old_leaves, new_leaves = _leaves(stored), _leaves(new)
    changed = sorted(
        key
        for key in old_leaves.keys() | new_leaves.keys()
        if old_leaves.get(key) != new_leaves.get(key)
    )
    return [k for k in changed if not any(k == a or k.startswith(a + ".") for a in allowed)]


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted key -> value of every leaf of nested mappings (lists are leaves)."""
    if not isinstance(value, Mapping):
        return {prefix: value}
    leaves: dict[str, Any] = {}
    for key, item in value.items():
        leaves |= _leaves(item, f"{prefix}.{key}" if prefix else str(key))
    return leaves


_SECRET_KEYS = frozenset({"api_key", "password", "token"})


def redact(value: Any) -> Any:
    """A config (or any part of one) with API keys, tokens and URL passwords replaced by ``***``.

    What is stored with a run, served by the API and printed is redacted, so no secret leaves the
    machine that runs the experiment.
    """
    if isinstance(value, Mapping):
        return {
            k: (SECRET if k in _SECRET_KEYS and v not in (None, "", "EMPTY") else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str) and "@" in value and "://" in value:
        return redact_url(value)
    return value
