"""The loaded or generated world before a run: users as columns, follows as an edge array."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from oasis.core.arrays import pair_keys
from oasis.datasets.cleaning import Repair

USER_COLUMNS = ("user_id", "user_name", "name", "bio", "persona", "interests")
HOURS = 24


@dataclass(frozen=True, slots=True)
class ScheduledPost:
    """A seed post the simulation creates on behalf of an agent.

    Attributes:
        time: When it is posted, in simulated (real-world) time; None means before the first
            step, as OASIS inserts a user's ``previous_tweets`` at the start.
        author_id: The 0-based agent id of the author.
        content: The post text.
        sharers: The agents the seed data says shared it (a Twitter15/16 topic's users shared
            its source tweet); empty where the seed does not say.
    """

    time: datetime | None
    author_id: int
    content: str
    sharers: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Population:
    """Users, their follow graph, hourly activity and seed posts, all as columns.

    Attributes:
        users: One row per agent, in agent-id order, with at least the columns of
            :data:`USER_COLUMNS`: ``user_id`` (0-based agent id), ``user_name`` (handle),
            ``name``, ``bio``, ``persona`` (the profile text the agent plays) and ``interests``
            (a pyarrow list of strings). Loaders may add source columns (``source_id``, ``age``...).
        follows: ``(m, 2)`` int64 array of ``(follower, followee)`` agent ids, no self-follows
            and no repeated pairs.
        activity: ``(n, 24)`` float64 array of hourly activity frequencies from the seed
            (``activity_level_frequency``), or None where the seed has none (Reddit).
        posts: Seed posts to schedule.
        start_time: The real time the seed starts at (a topic's ``start_time``), or None.
        repairs: The defects of the seed files repaired while loading (see
            :mod:`oasis.datasets.cleaning`).
        core: The ids of the seed's core accounts (a synthetic population's real users), or
            None where the seed marks none.
    """

    users: pd.DataFrame
    follows: np.ndarray
    activity: np.ndarray | None = None
    posts: tuple[ScheduledPost, ...] = ()
    start_time: datetime | None = None
    repairs: tuple[Repair, ...] = ()
    core: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.users)
        missing = [c for c in USER_COLUMNS if c not in self.users.columns]
        if missing:
            raise ValueError(f"population users lack columns {missing}")
        if not np.array_equal(self.users["user_id"].to_numpy(), np.arange(n)):
            raise ValueError("population user_id must be 0..n-1 in order")
        _check_follows(self.follows, n)
        if self.activity is not None and self.activity.shape != (n, HOURS):
            raise ValueError(f"activity must have shape ({n}, {HOURS}), not {self.activity.shape}")

    @property
    def size(self) -> int:
        """The number of agents."""
        return len(self.users)


def _check_follows(follows: np.ndarray, n: int) -> None:
    if follows.dtype != np.int64 or follows.ndim != 2 or follows.shape[1] != 2:
        raise ValueError("follows must be an int64 array of shape (m, 2)")
    if follows.size and (follows.min() < 0 or follows.max() >= n):
        raise ValueError(f"follows must hold agent ids in [0, {n})")


def clean_follows(pairs: np.ndarray) -> np.ndarray:
    """Drop self-follows and repeated pairs, keeping first occurrences in their order.

    Args:
        pairs: ``(m, 2)`` array of ``(follower, followee)`` ids.

    Returns:
        The cleaned ``(k, 2)`` int64 array; the seeds contain both kinds, and a platform follow
        is unique and never of oneself.
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    keys = pair_keys(pairs)
    _, first = np.unique(pairs if keys is None else keys, axis=0, return_index=True)
    return pairs[np.sort(first)]
