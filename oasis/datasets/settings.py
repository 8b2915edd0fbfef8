"""The datasets' part of an experiment config: where the agents come from."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from oasis.core.settings import Section

BUILTIN_DATA = Path(__file__).parent / "data"


class PopulationSettings(Section):
    """Where the agents come from.

    ``synthetic`` grows ``n_users`` from the real profiles in ``path`` (a Twitter user CSV);
    ``twitter`` and ``reddit`` load a seed file as it is; ``topic`` loads one Twitter15/16 topic
    (``topic`` names it) from ``topics_path`` and the user files in ``path`` (a folder).
    ``groups`` (twitter and reddit) loads several seed files as named groups of one population
    instead of ``path``, in their order (e.g. the group-polarization seed's two camps).
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
    activity_path: Path | None = Field(
        default=None,
        description="topic: a Twitter user CSV with ``activity_level_frequency`` (such as "
        "user_all_id_time.csv) whose rows give the topic users' real hourly activity, matched "
        "by user_id (for activation kind 'profile')",
    )
    groups: dict[str, Path] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _topic_named(self) -> PopulationSettings:
        if self.source == "topic" and not self.topic:
            raise ValueError("source 'topic' needs 'topic' (a topic_name of all_topics.csv)")
        return self
