"""The datasets' part of an experiment config: where the agents come from."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from oasis.core.settings import Section

BUILTIN_DATA = Path(__file__).parent / "data"
DEGREE_EXPONENT = 2.276
"""[Kwak10]'s power-law exponent of Twitter's degree distribution."""
RECIPROCITY = 0.221
"""[Kwak10]'s share of Twitter's linked user pairs that follow each other."""


class PopulationSettings(Section):
    """Where the agents come from.

    ``synthetic`` grows ``n_users`` from the real profiles in ``path`` (a Twitter user CSV);
    ``twitter`` and ``reddit`` load a seed file as it is; ``topic`` loads one Twitter15/16 topic
    (``topic`` names it) from ``topics_path`` and the user files in ``path`` (a folder).
    ``groups`` (twitter and reddit) loads several seed files as named groups of one population
    instead of ``path``, in their order (e.g. the group-polarization seed's two camps).

    The synthetic follow graph is a directed configuration model (``oasis/datasets/synthetic.py``)
    shaped by ``follows_per_user``, ``degree_exponent`` and ``reciprocity``. Source cited:
    [Kwak10] Kwak, Lee, Park and Moon, "What is Twitter, a social network or a news media?",
    WWW 2010 (41.7 million users, 1.47 billion follows crawled in 2009).
    """

    source: Literal["synthetic", "twitter", "reddit", "topic"] = "synthetic"
    path: Path = Path("builtin:twitter/user_all_id_time.csv")
    n_users: int = Field(default=100, ge=1, le=10_000_000)
    follows_per_user: float = Field(
        default=10,
        ge=1,
        description="synthetic: mean follows per user, returned ones included. No source for "
        "10: a cost setting (real accounts follow far more: the seed's median user follows "
        "902); the shape comes from degree_exponent and reciprocity",
    )
    degree_exponent: float = Field(
        default=DEGREE_EXPONENT,
        gt=2,
        description="synthetic: followings and followers each follow a power law "
        "P(k) ~ k ** -degree_exponent. [Kwak10] fitted 2.276 to Twitter's degree distribution "
        "(up to 10^5, past which a few accounts have more than it predicts)",
    )
    reciprocity: float = Field(
        default=RECIPROCITY,
        ge=0,
        lt=1,
        description="synthetic: the share of linked user pairs that follow each other. "
        "[Kwak10] 22.1% of Twitter's user pairs with a follow between them are reciprocal "
        "(77.9% one-way)",
    )
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
