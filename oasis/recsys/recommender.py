"""The contract every recommender keeps."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from oasis.recsys.selection import Exclusions
from oasis.recsys.settings import RecsysSettings
from oasis.recsys.state import RecsysState
from oasis.recsys.tables import ActiveUsers, Feeds, PostTable


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
