"""Response bodies of the dashboard's aggregated routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from oasis.api.schemas import FeedPostOut


class OverviewOut(BaseModel):
    """The run at a glance."""

    name: str
    status: str = Field(description="running, paused, finished or failed")
    paused: bool | None = Field(description="whether an attached run is paused; null if detached")
    current_step: int
    total_steps: int | None
    sim_time: float | None = Field(description="simulated POSIX time of the last step, seconds")
    users: int
    posts: int
    control: bool = Field(description="whether a simulation is attached for control")


class StepPointOut(BaseModel):
    """One step's figures for the charts."""

    step: int
    sim_time: float
    figures: dict[str, float] = Field(description="every numeric figure the step recorded")
    actions_by_type: dict[str, int]
    phases: dict[str, float] = Field(
        default_factory=dict, description="wall seconds per phase, as the step recorded them"
    )
    previous_step_phases: dict[str, float] = Field(
        default_factory=dict,
        description="the previous step's phases that ended after it recorded its figures "
        "(its commit, the loop moving on): they belong to that step",
    )


class SeriesOut(BaseModel):
    """Steps after ``after``, oldest first; ask again with ``after=next_after`` while set."""

    items: list[StepPointOut]
    next_after: int | None


class TopCascadeOut(BaseModel):
    """A root post and how many times it was shared."""

    post_id: int
    user_id: int
    content: str
    created_step: int
    shares: int


class FeedAtStepOut(BaseModel):
    """The feed a user was given at one step, in rank order."""

    step: int
    posts: list[FeedPostOut]


class FeedHistoryOut(BaseModel):
    """A user's feeds, newest first; ask again with ``before=next_before`` while set."""

    user_id: int
    items: list[FeedAtStepOut]
    next_before: int | None


class AnswerAtStepOut(BaseModel):
    """An interview answer with the stance the keyword classifier gives it."""

    user_id: int
    step: int
    answer: str
    stance: int = Field(description="-1, 0 or +1 (keyword classifier)")


class StanceRoundOut(BaseModel):
    """The stance distribution after one step (or of one interview round, asked at that step)."""

    step: int
    n: int
    negative: float = Field(description="share of stances below -1/3")
    neutral: float = Field(description="share of stances within [-1/3, 1/3]")
    positive: float = Field(description="share of stances above 1/3")
    mean_stance: float
    polarization: float = Field(description="variance of stance")


class PolarizationOut(BaseModel):
    """Stance distributions over time, by group: stored stances, else interview answers."""

    source: Literal["stances", "interviews", "none"]
    groups: dict[str, list[StanceRoundOut]]
    answers_read: int = Field(description="interview answers classified (source interviews)")
    sampled_every: int = Field(1, description="agents whose id is a multiple of it are counted")


class StancePointOut(BaseModel):
    """An agent's stance from a step on."""

    step: int
    stance: float


class StanceHistoryOut(BaseModel):
    """An agent's stored stance changes (``kept`` false: the run stores no stances)."""

    kept: bool
    items: list[StancePointOut]


class HerdGroupOut(BaseModel):
    """Final scores of the first comments of one treatment group."""

    group: str
    n: int
    mean_score: float | None = Field(description="platform score, planted vote included")
    std_score: float | None
    agents_mean_score: float | None = Field(
        description="the agents' votes alone (planted vote left out), as herd.csv has it"
    )
    agents_lo_score: float | None = Field(description="95% t interval over threads, low end")
    agents_hi_score: float | None = Field(description="95% t interval over threads, high end")
    p_value: float | None = Field(
        description="two-sided permutation test of the agents' votes against control"
    )


class HerdOut(BaseModel):
    """The herd-effect table (empty when the run is not a herd experiment)."""

    groups: list[HerdGroupOut]


class ReferenceOut(BaseModel):
    """The real cascade of a Twitter15/16 topic run (all null for other runs)."""

    topic: str | None
    num_users: int | None = Field(description="the real cascade's users (its final scale)")
    max_depth: int | None = Field(description="the real cascade's depth")
