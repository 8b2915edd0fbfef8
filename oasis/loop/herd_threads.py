"""Seed threads of the herd-effect experiment: a post, its first comment, a planted vote.

Each run draws from its seed a place for every thread of the seed file (:func:`thread_places`):
the thread at place p is posted at step 0 by agent ``p mod n``, commented at step 1 by agent
``p+1 mod n`` and, in the ``up`` and ``down`` groups, voted on at step 2 by agent ``p+2 mod n``.
The ids the later steps need are looked up in the committed state, so a resumed run finds them
too. The posts are made at one step, so the platform numbers them by author and a feed ranks
them by their own votes and, among equals, by post id: with places in the seed file's order a
thread's exposure would follow its index (at 36 agents the threads with the first authors were
shown in every seed and the rest in none, the up-treated ones more often than control's: 15
views a thread against 9.5). Drawn per run, a thread's place does not follow its treatment,
as in the study's randomisation, and over seeds every thread is shown about as often.

No agent reads a feed before :data:`AGENTS_FROM` (see :class:`~oasis.loop.step_reads.StepReads`),
so every first comment is first seen with its planted vote, as in Muchnik, Aral & Taylor,
"Social influence bias: a randomized experiment", Science 341:647 (2013), where the vote was
planted when the comment was created, before anyone else saw it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oasis.core.actions import Action, ActionType
from oasis.core.rng import Stream, generator
from oasis.datasets.cleaning import Repair
from oasis.datasets.reddit import load_counterfactual
from oasis.loop.events import StepEvents, World
from oasis.loop.settings import HerdSettings
from oasis.platform import Platform
from oasis.platform.schema import CommentDislike, CommentLike

_VOTES = {"up": ActionType.LIKE_COMMENT, "down": ActionType.DISLIKE_COMMENT}

AGENTS_FROM = 3
"""The first step agents act in a herd run: the one after the planted votes' step."""


@dataclass(frozen=True, slots=True)
class Thread:
    """One seed thread and its treatment group."""

    author: int
    text: str
    commenter: int
    comment: str
    group: str
    voter: int


def thread_places(n_threads: int, seed: int) -> list[int]:
    """Each thread's place (who posts, comments and votes on it): a permutation from ``seed``."""
    places: list[int] = generator(seed, Stream.HERD).permutation(n_threads).tolist()
    return places


def herd_threads(
    frame: pd.DataFrame, n_agents: int, seed: int, limit: int | None = None
) -> list[Thread]:
    """Threads from ``load_counterfactual`` rows (title, selftext, comment, group), in file order.

    Their authors, commenters and voters follow the places :func:`thread_places` draws from
    ``seed``.
    """
    rows = frame.head(limit) if limit else frame
    places = thread_places(len(rows), seed)
    return [
        Thread(
            author=p % n_agents,
            text="\n".join(str(t) for t in (row.title, row.selftext) if t and str(t) != "None"),
            commenter=(p + 1) % n_agents,
            comment=str(row.comment),
            group=str(row.group),
            voter=(p + 2) % n_agents,
        )
        for p, row in zip(places, rows.itertuples(), strict=True)
    ]


def thread_posts(threads: Sequence[Thread]) -> list[Action]:
    """Step 0: every thread's post."""
    return [Action(t.author, ActionType.CREATE_POST, {"content": t.text}) for t in threads]


def thread_comments(threads: Sequence[Thread], post_ids: Sequence[int | None]) -> list[Action]:
    """Step 1: every thread's first comment, on the post found for it."""
    return [
        Action(t.commenter, ActionType.CREATE_COMMENT, {"post_id": p, "content": t.comment})
        for t, p in zip(threads, post_ids, strict=True)
        if p is not None
    ]


def thread_votes(threads: Sequence[Thread], comment_ids: Sequence[int | None]) -> list[Action]:
    """Step 2: the planted vote on each treated thread's first comment."""
    return [
        Action(t.voter, _VOTES[t.group], {"comment_id": c})
        for t, c in zip(threads, comment_ids, strict=True)
        if c is not None and t.group in _VOTES
    ]


def first_comments(
    threads: Sequence[Thread],
    comments: Mapping[int, Mapping[str, int]],
    views: Mapping[int, int] | None = None,
) -> pd.DataFrame:
    """The herd-effect table: each thread's first comment with its group and final votes.

    ``comments`` maps thread index to the comment's ``num_likes`` and ``num_dislikes``;
    ``views`` thread index to its open views: the feeds that showed the thread's post to an
    agent who had not yet voted on the comment (0 where none did). ``thread`` is the index, so
    runs over seeds can be summed per thread.
    """
    seen = views or {}
    return pd.DataFrame(
        [
            {
                "thread": i,
                "group": threads[i].group,
                "num_likes": c["num_likes"],
                "num_dislikes": c["num_dislikes"],
                "views": seen.get(i, 0),
            }
            for i, c in sorted(comments.items())
        ],
        columns=["thread", "group", "num_likes", "num_dislikes", "views"],
    )


class HerdThreads:
    """The seed threads of a run, with the lookups that find their posts and comments again.

    ``seed`` (the run's) draws the threads' places (:func:`thread_places`).
    """

    def __init__(
        self, frame: pd.DataFrame, n_agents: int, seed: int, limit: int | None = None
    ) -> None:
        self.threads = herd_threads(frame, n_agents, seed, limit)
        self.repairs: tuple[Repair, ...] = tuple(frame.attrs.get("repairs", ()))

    @classmethod
    def load(cls, settings: HerdSettings, n_agents: int, seed: int) -> HerdThreads:
        """The threads of the experiment's seed file among ``n_agents`` agents, run ``seed``.

        ``repairs`` lists what the file needed (``load_counterfactual``).
        """
        return cls(load_counterfactual(settings.path), n_agents, seed, settings.threads)

    def due(self, step: int, world: World) -> StepEvents:
        """The threads' actions due at ``step`` (an event source)."""
        return StepEvents(self.actions(step, world.platform))

    def actions(self, step: int, platform: Platform) -> list[Action]:
        """What is due at ``step``: posts at step 0, first comments at 1, planted votes at 2."""
        if step == 0:
            return thread_posts(self.threads)
        if step > 2:
            return []
        post_ids = self._post_ids(platform)
        if step == 1:
            return thread_comments(self.threads, post_ids)
        found = self._comments(platform, post_ids)
        return thread_votes(self.threads, [c["comment_id"] if c else None for c in found])

    def table(self, platform: Platform, steps: int) -> pd.DataFrame:
        """Each thread's first comment with its group, final votes and open views in ``steps``."""
        post_ids = self._post_ids(platform)
        found = {i: c for i, c in enumerate(self._comments(platform, post_ids)) if c is not None}
        posts = {p: i for i, p in enumerate(post_ids) if p is not None and i in found}
        views = self._open_views(
            platform, steps, posts, {i: c["comment_id"] for i, c in found.items()}
        )
        return first_comments(self.threads, found, views)

    def _open_views(
        self, platform: Platform, steps: int, posts: Mapping[int, int], comments: Mapping[int, int]
    ) -> dict[int, int]:
        """Per thread: the feeds of steps ``AGENTS_FROM..steps-1`` that showed its post to an agent.

        Only agents who had not voted on the first comment before the step count: each such
        view is a chance to vote on it.
        """
        with platform.reader() as reader:
            votes = pd.concat([reader.table(CommentLike), reader.table(CommentDislike)])
            feeds = {step: reader.feeds(step) for step in range(AGENTS_FROM, steps)}
        voted = votes.groupby(["user_id", "comment_id"])["created_step"].min().to_dict()
        counts: Counter[int] = Counter()
        for step, feed in feeds.items():
            if feed is None:
                continue
            readers = np.repeat(feed.user_ids, np.diff(feed.indptr)).tolist()
            for reader_id, post in zip(readers, feed.post_ids.tolist(), strict=True):
                thread = posts.get(post)
                if thread is not None and voted.get((reader_id, comments[thread]), step) >= step:
                    counts[thread] += 1
        return dict(counts)

    def _post_ids(self, platform: Platform) -> list[int | None]:
        with platform.reader() as reader:
            return reader.find_posts(0, [(t.author, t.text) for t in self.threads])

    def _comments(
        self, platform: Platform, post_ids: Sequence[int | None]
    ) -> list[dict[str, int] | None]:
        wanted = [
            (t.commenter, -1 if p is None else p, t.comment)
            for t, p in zip(self.threads, post_ids, strict=True)
        ]
        with platform.reader() as reader:
            return reader.find_comments(1, wanted)
