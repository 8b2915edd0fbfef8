"""Who the seed data says shared its posts, found again among a step's feed entries.

A Twitter15/16 topic file lists the users who took part in the real cascade of its source
tweet (:func:`oasis.datasets.load_topic` gives its scheduled source their ids as
``sharers``). The heuristic shares such a post, when one of its sharers sees it, with
``seed_share`` in place of the population's repost rate (see
:class:`~oasis.agents.heuristic.settings.HeuristicSettings`): whether they share is the seed's, when
and through whom is the model's (activation, the feed, attention's decay).

A seed post is found among the step's candidates by its author and creation time: the
schedule posts it at the start of its step, and a step's scheduled posts come before the
agents' own actions of that step (canonical order is stable), so it is the first post of its
author created at that time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from oasis.datasets.population import ScheduledPost
from oasis.recsys import PostTable


@dataclass(frozen=True, slots=True)
class SeedShares:
    """The seed posts that have sharers: author, creation time and sharers of each."""

    authors: tuple[int, ...]
    created_at: tuple[float, ...]
    sharers: tuple[np.ndarray, ...]

    @classmethod
    def of(
        cls, posts: Sequence[ScheduledPost], created_at: Callable[[ScheduledPost], float]
    ) -> SeedShares | None:
        """The seed posts with sharers (None: none), ``created_at`` giving each one's time."""
        shared = [p for p in posts if p.sharers]
        if not shared:
            return None
        return cls(
            tuple(p.author_id for p in shared),
            tuple(created_at(p) for p in shared),
            tuple(np.array(sorted(p.sharers), np.int64) for p in shared),
        )

    def flags(self, posts: PostTable, owners: np.ndarray, roots: np.ndarray) -> np.ndarray:
        """Per feed entry: its reader (``owners``) shared its original (``roots``) in the seed."""
        shared = np.zeros(len(owners), bool)
        for author, created, sharers in zip(
            self.authors, self.created_at, self.sharers, strict=True
        ):
            mine = (posts.author_id == author) & (posts.created_at == created)
            if mine.any():
                post = int(posts.post_id[mine].min())
                shared |= (roots == post) & np.isin(owners, sharers)
        return shared
