"""Every comment's score, and the comments each post shows, kept in memory between steps.

A heuristic feed step shows, under each entry, its root's best :data:`SHOWN_COMMENTS` comments
(likes minus dislikes, ties by the older comment). Ranked in the database, that was a window
function over every comment of every root in the step's feeds: popular roots gather comments,
so the step grew with the run's age. The scores are kept here instead, as ``post << 32 |
comment`` keys with their scores, read from the database once when a run resumes
(:meth:`CommentBook.load`) and moved by each committed step's own new comments and votes
(:meth:`CommentBook.apply`), which re-rank only the posts they touched; a step looks its roots
up in the table of shown comments with ``searchsorted`` (``tests/simulation/test_step_state.py``
holds it equal to the database and to its ranking after every step).
"""

from __future__ import annotations

import numpy as np

from oasis.agents.heuristic.policy import SHOWN_COMMENTS
from oasis.core.arrays import distinct
from oasis.platform import StepChanges
from oasis.platform.reader import Reader

_INT = np.int64


class CommentBook:
    """Sorted ``post << 32 | comment`` keys with scores, and each commented post's top comments.

    Args:
        keys: Every comment as ``post << 32 | comment``, ascending.
        scores: Its likes minus dislikes, aligned with ``keys``.
    """

    def __init__(self, keys: np.ndarray, scores: np.ndarray) -> None:
        self.keys, self.scores = keys, scores
        # Per commented post (ascending), its best comments and their scores, -1 / 0 padded.
        self.posts, self.top_ids, self.top_scores = _ranked(keys, scores, distinct(keys >> 32))

    @classmethod
    def empty(cls) -> CommentBook:
        """A run without comments yet."""
        return cls(np.zeros(0, _INT), np.zeros(0, _INT))

    @classmethod
    def load(cls, reader: Reader) -> CommentBook:
        """The comments as committed."""
        found = reader.comment_scores()
        keys = (found["post_id"] << 32) | found["comment_id"]
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], found["score"][order])

    def apply(self, changes: StepChanges) -> None:
        """Move the book past a committed step: its new comments, then their votes."""
        new = changes.comments
        if new["comment_id"].size:
            added = np.sort((new["post_id"] << 32) | new["comment_id"])
            at = np.searchsorted(self.keys, added)
            self.keys = np.insert(self.keys, at, added)
            self.scores = np.insert(self.scores, at, 0)
        voted = (changes.comment_posts << 32) | changes.comment_ids
        at = np.searchsorted(self.keys, voted)
        deltas = changes.comment_deltas
        np.add.at(self.scores, at, deltas[:, 0] - deltas[:, 1])
        touched = distinct(np.concatenate([new["post_id"], changes.comment_posts]))
        if touched.size:
            self._rerank(touched)

    def shown(self, roots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The comments shown under each of ``roots``: ids and scores, best first.

        Each is a ``(len(roots), SHOWN_COMMENTS)`` array, -1 and 0 where a root has fewer.
        """
        shape = (len(roots), SHOWN_COMMENTS)
        ids, scores = np.full(shape, -1, _INT), np.zeros(shape, _INT)
        if not self.posts.size:
            return ids, scores
        at = np.searchsorted(self.posts, roots).clip(0, self.posts.size - 1)
        has = self.posts[at] == roots
        ids[has], scores[has] = self.top_ids[at[has]], self.top_scores[at[has]]
        return ids, scores

    def _rerank(self, touched: np.ndarray) -> None:
        """Rank the comments of the ``touched`` posts again, into the table of shown ones."""
        posts, ids, scores = _ranked(self.keys, self.scores, touched)
        at = np.searchsorted(self.posts, posts)
        held = at < self.posts.size
        held[held] = self.posts[at[held]] == posts[held]
        self.top_ids[at[held]], self.top_scores[at[held]] = ids[held], scores[held]
        fresh, where = ~held, at[~held]
        self.posts = np.insert(self.posts, where, posts[fresh])
        self.top_ids = np.insert(self.top_ids, where, ids[fresh], axis=0)
        self.top_scores = np.insert(self.top_scores, where, scores[fresh], axis=0)


def _ranked(
    keys: np.ndarray, scores: np.ndarray, posts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The best comments of ``posts`` (ascending, each with a comment) from the sorted ``keys``.

    Best score first, ties by the lower comment id (the order of ``Reader``'s ranking);
    ``(posts, ids, scores)`` with ``(len(posts), SHOWN_COMMENTS)`` tables padded by -1 and 0.
    """
    start = np.searchsorted(keys, posts << 32)
    stop = np.searchsorted(keys, (posts + 1) << 32)
    counts = stop - start
    row = np.repeat(np.arange(posts.size), counts)
    # Positions of every comment of the posts: each post's run of keys, one after another.
    at = np.arange(row.size) - np.repeat(np.cumsum(counts) - counts, counts) + start[row]
    comment = keys[at] & 0xFFFFFFFF
    order = np.lexsort((comment, -scores[at], row))
    rank = np.arange(row.size) - np.repeat(np.cumsum(counts) - counts, counts)
    shown = order[rank < SHOWN_COMMENTS]
    slot = rank[rank < SHOWN_COMMENTS]
    ids = np.full((posts.size, SHOWN_COMMENTS), -1, _INT)
    top = np.zeros((posts.size, SHOWN_COMMENTS), _INT)
    ids[row[shown], slot], top[row[shown], slot] = comment[shown], scores[at[shown]]
    return posts, ids, top
