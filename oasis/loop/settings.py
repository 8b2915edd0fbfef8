"""The loop's part of an experiment config: simulated time, activation, scheduled events, herd."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from oasis.agents.shards.settings import RaySettings
from oasis.core.clock import DEFAULT_MINUTES_PER_STEP
from oasis.core.renamed import refuse_renamed
from oasis.core.settings import Section


class ClockSettings(Section):
    """Simulated time: when step 0 starts and how long a step lasts."""

    start: datetime | None = Field(
        default=None, description="default: the seed's start, else 2026-01-01"
    )
    minutes_per_step: float = Field(default=DEFAULT_MINUTES_PER_STEP, gt=0)


class HumansSettings(Section):
    """People playing users beside the agents (:mod:`oasis.loop.people`)."""

    wait_s: float = Field(
        default=0.0,
        ge=0,
        le=3600,
        description="at most how many wall seconds a step waits until every present person has "
        "an action queued; 0: the run never waits for people. No source: the study's choice of "
        "how long people get per step (timing only: the same actions give the same run)",
    )


class ActivationSettings(Section):
    """Who is active in a step, from rates per simulated hour (``oasis/core/clock.py``).

    ``profile`` uses the seed's hourly activity (OASIS's ``P = f / max f`` per agent and hour),
    ``uniform`` one rate for everyone. A rate is feed views per simulated hour; a step of
    ``dt`` minutes makes an agent active with chance ``min(1, rate * dt / 60)``, so the same
    experiment at any clock gives the same views (and actions) per simulated hour.
    """

    kind: Literal["profile", "uniform"] = "uniform"
    views_per_hour: float = Field(
        default=0.2,
        ge=0.0,
        description="uniform: feed views per simulated hour of every agent (0.2: active in one "
        "step in five at a one-hour clock). No source: set it from the platform's sessions "
        "per user and hour, or use the seed's profiles",
    )

    rate_spread: float = Field(
        default=0.0,
        ge=0.0,
        description="how unequally agents use the platform: each agent's views per hour (its "
        "hourly profile, or views_per_hour) times its own log-normal multiplier of mean 1 and "
        "log-sd rate_spread, drawn once per agent, so the mean rate stays. [Pew19] Wojcik and "
        "Hughes, 'Sizing Up Twitter Users', Pew Research Center 2019: the top 10% of U.S. adult "
        "tweeters by volume write 80% of the tweets (median 138 a month, the other 90% 2). A "
        "log-normal alone gives that at a log-sd of 2.12 (the 90th percentile's z minus the "
        "20th's); the seed's 111 hourly profiles are unequal already (the top 10% of 100,000 "
        "synthetic users copied from them hold 48% of the views), and with them 1.8 gives the "
        "80% (tests/agents/test_heuristic_sources.py recomputes both), the value "
        "examples/cascades_at_scale.yaml sets. That takes views to be as unequal as tweets, an "
        "assumption: [Pew19]'s visits are less so (81% of the top 10% and 47% of the others "
        "visit daily). In that example (seed 11) 2 cascades reach 50 users (83 and 1,874, "
        "depth 4 and 18) from 2,861 shares, where 0 gives 12 (58-3,106, depth up to 45) from "
        "13,167 shares: equal rates chain generations. The default 0 keeps every "
        "agent's own rate; joined agents keep the typical rate",
    )

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        return refuse_renamed(
            data, {"probability": "views_per_hour (a rate per simulated hour, not per step)"}
        )


class EventSettings(Section):
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


class HerdSettings(Section):
    """OASIS's Reddit herd-effect setup: seed posts whose first comment gets a planted vote.

    ``path`` holds the posts and comments with their group (``up``, ``down`` or ``control``);
    ``threads`` keeps only the first N of them.
    """

    path: Path = Path("builtin:reddit/counterfactual_36.json")
    threads: int | None = Field(default=None, ge=1)


# What a sweep sets for each of its runs; a sweep file may not set them under fixed or grid.
SWEEP_OWNS = frozenset({"database", "output", "seed", "name"})


class SweepSettings(Section):
    """A sweep: the cross product of ``grid`` values and ``seeds`` over one experiment file.

    ``grid`` maps dotted config keys (``recsys.kind``) to the values to try; ``fixed`` sets keys
    for every run; ``metrics`` names what the combined table and plot show (counts of successful
    actions by type, ``actions``, ``active``, or the LLM usage fields). Runs go to
    ``output/<setting>/seed-<n>``, ``max_concurrent`` at a time as Ray tasks of ``cpus_per_run``.
    """

    grid: dict[str, tuple[Any, ...]] = Field(default_factory=dict)
    seeds: tuple[int, ...] = Field(default=(0,), min_length=1)
    fixed: dict[str, Any] = Field(default_factory=dict)
    metrics: tuple[str, ...] = ("actions", "create_post", "like_post", "repost", "follow")
    output: Path | None = Field(default=None, description="default: the experiment's output/sweep")
    max_concurrent: int = Field(default=2, ge=1)
    cpus_per_run: float = Field(default=1.0, gt=0)
    spread: bool = Field(default=True, description="place runs on as many Ray nodes as possible")
    ray: RaySettings = Field(
        default=RaySettings(mode="local"), description="where the runs' tasks go: local or cluster"
    )

    @field_validator("fixed", "grid")
    @classmethod
    def _leave_the_run_s_own_keys(cls, keys: dict[str, Any]) -> dict[str, Any]:
        owned = sorted(k for k in keys if k.split(".")[0] in SWEEP_OWNS)
        if owned:
            raise PydanticCustomError(
                "owned_by_the_sweep",
                f"{', '.join(owned)}: the sweep sets database, output, seed and name of each run "
                "itself (list the seeds under 'seeds' and the sweep's folder under 'output')",
            )
        return keys

    @field_validator("grid")
    @classmethod
    def _values_to_try(cls, grid: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
        empty = sorted(k for k, values in grid.items() if not values)
        if empty:
            raise PydanticCustomError(
                "empty", f"{', '.join(empty)}: give at least one value to try"
            )
        return grid
