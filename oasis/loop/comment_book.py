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
_LOW = 0xFFFFFFFF  # a key's comment id


class CommentBook:
    """Sorted ``post << 32 | comment`` keys with scores, and each commented post's top comments.

    Args:
        keys: Every comment as ``post << 32 | comment``, ascending.
        scores: Its likes minus dislikes, aligned with ``keys``.
    """

    def __init__(self, keys: np.ndarray, scores: np.ndarray) -> None:
        self.keys, self.scores = keys, scores
        # Per commented post (ascending), its best comments and their scores, -1 / 0 padded.
        self.posts, self.top_ids, self.top_scores = _ranked(keys, scores)

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
        """Move the book past a committed step: its new comments, then their votes.

        Only the posts these touched are ranked again, and only among the comments that may
        now be shown: those shown before, the new and the voted ones. A post's other comments
        ranked below every shown one and kept their scores, so they stay below unless a shown
        one lost score: a post where one did is ranked again in full. So a step's cost follows
        its comments and votes, not how many comments its posts gathered over the run.
        """
        new = changes.comments
        added = np.sort((new["post_id"] << 32) | new["comment_id"])
        if added.size:
            at = np.searchsorted(self.keys, added)
            self.keys = np.insert(self.keys, at, added)
            self.scores = np.insert(self.scores, at, 0)
        voted = (changes.comment_posts << 32) | changes.comment_ids
        net = changes.comment_deltas[:, 0] - changes.comment_deltas[:, 1]
        np.add.at(self.scores, np.searchsorted(self.keys, voted), net)
        if not (added.size or voted.size):
            return
        fallen = voted[net < 0]
        full = distinct(fallen[self._shown_now(fallen)] >> 32)
        touched = distinct(np.concatenate([added, voted]) >> 32)
        candidates = [added, voted, self._shown_keys(touched), self.keys[_runs(self.keys, full)]]
        keys = distinct(np.concatenate(candidates))
        self._store(*_ranked(keys, self.scores[np.searchsorted(self.keys, keys)]))

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

    def _shown_now(self, keys: np.ndarray) -> np.ndarray:
        """Whether each comment (``post << 32 | comment`` keys) is among its post's shown ones."""
        if not self.posts.size:
            return np.zeros(keys.size, bool)
        at = np.searchsorted(self.posts, keys >> 32).clip(0, self.posts.size - 1)
        shown: np.ndarray = (self.top_ids[at] == (keys & _LOW)[:, None]).any(axis=1)
        shown &= self.posts[at] == keys >> 32
        return shown

    def _shown_keys(self, posts: np.ndarray) -> np.ndarray:
        """The shown comments of ``posts`` (ascending) as ``post << 32 | comment`` keys."""
        if not self.posts.size:
            return np.zeros(0, _INT)
        at = np.searchsorted(self.posts, posts).clip(0, self.posts.size - 1)
        held = self.posts[at] == posts
        ids = self.top_ids[at[held]]
        keys: np.ndarray = ((posts[held, None] << 32) | ids)[ids >= 0]
        return keys

    def _store(self, posts: np.ndarray, ids: np.ndarray, scores: np.ndarray) -> None:
        """Put the shown comments of ``posts`` (ascending) into the table, new rows or not."""
        at = np.searchsorted(self.posts, posts)
        held = at < self.posts.size
        held[held] = self.posts[at[held]] == posts[held]
        self.top_ids[at[held]], self.top_scores[at[held]] = ids[held], scores[held]
        fresh, where = ~held, at[~held]
        self.posts = np.insert(self.posts, where, posts[fresh])
        self.top_ids = np.insert(self.top_ids, where, ids[fresh], axis=0)
        self.top_scores = np.insert(self.top_scores, where, scores[fresh], axis=0)


def _runs(keys: np.ndarray, posts: np.ndarray) -> np.ndarray:
    """The positions in the sorted ``keys`` of every comment of ``posts`` (ascending)."""
    start = np.searchsorted(keys, posts << 32)
    counts = np.searchsorted(keys, (posts + 1) << 32) - start
    offsets = np.cumsum(counts) - counts
    at: np.ndarray = np.repeat(start - offsets, counts) + np.arange(counts.sum())
    return at


def _ranked(keys: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The best comments of each post among ``keys`` (sorted, distinct) with their ``scores``.

    Best score first, ties by the lower comment id (the order of ``Reader``'s ranking);
    ``(posts, ids, scores)``: the posts ascending, ``(len(posts), SHOWN_COMMENTS)`` tables
    padded by -1 and 0.
    """
    post, comment = keys >> 32, keys & _LOW
    posts = distinct(post)
    row = np.searchsorted(posts, post)
    order = np.lexsort((comment, -scores, row))  # rows stay where they were: keys are sorted
    rank = np.arange(keys.size) - np.searchsorted(post, posts)[row]
    keep = rank < SHOWN_COMMENTS
    shown = order[keep]
    ids = np.full((posts.size, SHOWN_COMMENTS), -1, _INT)
    top = np.zeros((posts.size, SHOWN_COMMENTS), _INT)
    ids[row[shown], rank[keep]], top[row[shown], rank[keep]] = comment[shown], scores[shown]
    return posts, ids, top
