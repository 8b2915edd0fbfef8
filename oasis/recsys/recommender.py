"""The contract every recommender keeps."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol, runtime_checkable

import numpy as np

from oasis.recsys.selection import CandidateSource, Exclusions, fill, to_post_ids
from oasis.recsys.settings import RecsysSettings
from oasis.recsys.state import RecsysState
from oasis.recsys.tables import ActiveUsers, Feeds, IntArray, PostTable


@runtime_checkable
class Recommender(Protocol):
    """Ranks candidate posts for this step's active users.

    ``recommend`` reads the run's stores but never changes them: the caller records the feeds
    it shows with ``state.record_shown(feeds)``.
    """

    state: RecsysState

    def recommend(
        self, posts: PostTable, users: ActiveUsers, now: float, rng: np.random.Generator
    ) -> Feeds:
        """At most ``k`` post ids per active user, best first."""
        ...


def exclusions(
    users: ActiveUsers, state: RecsysState, settings: RecsysSettings, shown: bool = True
) -> Exclusions:
    """Own posts and muted authors always; shown posts when ``shown`` and ``exclude_shown``."""
    return Exclusions.build(users, state.shown if shown and settings.exclude_shown else None)


class RowRanker(ABC):
    """What every shipped recommender shares: its settings and stores, and feeds made of rows.

    A kind ranks PostTable rows (:meth:`rank`); :meth:`recommend` turns them into the feeds'
    post ids.
    """

    def __init__(self, settings: RecsysSettings, state: RecsysState) -> None:
        self.settings = settings
        self.state = state

    def recommend(
        self, posts: PostTable, users: ActiveUsers, now: float, rng: np.random.Generator
    ) -> Feeds:
        """At most ``k`` post ids per active user, best first."""
        rows = self.rank(posts, users, now, rng)
        return Feeds.from_padded(users.user_id, to_post_ids(posts, rows))

    @abstractmethod
    def rank(
        self, posts: PostTable, users: ActiveUsers, now: float, rng: np.random.Generator
    ) -> IntArray:
        """Up to ``k`` PostTable rows per active user, best first, ``-1`` padded."""

    def limits(self, users: ActiveUsers) -> tuple[IntArray, Exclusions]:
        """``k`` for every active user, and what each may not be shown (:func:`exclusions`)."""
        limit = np.full(len(users), self.settings.k, dtype=np.int64)
        return limit, exclusions(users, self.state, self.settings)

    def top_k(self, source: CandidateSource, posts: PostTable, users: ActiveUsers) -> IntArray:
        """Up to ``k`` allowed rows per active user from ``source``, best first."""
        limit, excluded = self.limits(users)
        return fill(source, posts, excluded, limit, self.settings.oversample * self.settings.k)
