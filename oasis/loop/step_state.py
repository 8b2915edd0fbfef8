"""What a step needs from the past, kept in memory between steps and moved by each step's changes.

The follow graph (:class:`~oasis.loop.follow_lists.FollowLists`), every user's follower count,
the candidate posts of the window with their counters, what every reader has done to posts and
comments (:class:`~oasis.loop.reader_book.ReaderBook`) and every comment's score with the
comments each post shows (:class:`~oasis.loop.comment_book.CommentBook`) are taken from the
population a fresh run has just written (:meth:`StepState.start`) or read from the database once
when a run resumes (:meth:`StepState.load`); after that each committed step's own changes
(:class:`~oasis.platform.StepChanges`) move them (:meth:`StepState.apply`). So no step scans the
history: its cost follows its activity, not the run's age. The state after any step equals the
state loaded from the database after that step (``tests/simulation/test_step_state.py``), which
is what makes ``--resume`` exact.
"""

from __future__ import annotations

import numpy as np

from oasis.loop.comment_book import CommentBook
from oasis.loop.follow_lists import FollowLists
from oasis.loop.reader_book import ReaderBook
from oasis.platform import StepChanges
from oasis.platform.population import clean_edges
from oasis.platform.reader import Reader
from oasis.recsys import PostTable

_INT = np.int64
POST_COLUMNS = (
    "post_id", "user_id", "root_id", "created_step", "created_at",
    "num_likes", "num_dislikes", "num_shares",
)  # fmt: skip
_COUNTERS = ("num_likes", "num_dislikes", "num_shares")


class StepState:
    """Follow lists, follower counts, the window's posts, what readers did, comments, as committed.

    Args:
        user_ids: Every user, ascending.
        followers: Each user's follower count, aligned with ``user_ids``.
        follows: Whom each user follows.
        posts: The candidate posts' columns (:data:`POST_COLUMNS`), ascending by post id.
        book: Every reader's likes, dislikes, reposts and comment votes.
        comments: Every comment's score and the comments each post shows.
    """

    def __init__(
        self,
        user_ids: np.ndarray,
        followers: np.ndarray,
        follows: FollowLists,
        posts: dict[str, np.ndarray],
        book: ReaderBook,
        comments: CommentBook,
    ) -> None:
        self.user_ids = user_ids
        self.followers = followers
        self.follows = follows
        self.posts = posts
        self.book = book
        self.comments = comments

    @classmethod
    def load(cls, reader: Reader, since_step: int) -> StepState:
        """The state as committed: posts created at or after ``since_step`` are candidates."""
        user_ids, followers = reader.follower_counts()
        follows = FollowLists(user_ids, reader.follow_pairs())
        table = reader.post_table(since_step)
        posts = {c: table[c] for c in POST_COLUMNS}
        books = ReaderBook.load(reader), CommentBook.load(reader)
        return cls(user_ids, followers, follows, posts, *books)

    @classmethod
    def start(cls, user_ids: np.ndarray, follows: np.ndarray) -> StepState:
        """The state of a run whose population was just written, without reading it back.

        ``follows`` cleaned as the platform stores them, the counts they make, no posts yet.
        """
        ids = np.sort(np.asarray(user_ids, _INT))
        pairs = clean_edges(follows)
        size = int(max(ids.max(initial=-1), pairs.max(initial=-1))) + 1
        followers = np.bincount(pairs[:, 1], minlength=size)[ids].astype(_INT)
        posts = {c: np.zeros(0, np.float64 if c == "created_at" else _INT) for c in POST_COLUMNS}
        books = ReaderBook.empty(), CommentBook.empty()
        return cls(ids, followers, FollowLists(ids, pairs), posts, *books)

    def follower_counts(self, user_ids: np.ndarray) -> np.ndarray:
        """Follower counts of ``user_ids`` (0 for unknown users)."""
        at = np.searchsorted(self.user_ids, user_ids).clip(0, max(self.user_ids.size - 1, 0))
        known = self.user_ids[at] == user_ids if self.user_ids.size else False
        return np.where(known, self.followers[at] if self.user_ids.size else 0, 0).astype(_INT)

    def candidates(self, since_step: int) -> tuple[PostTable, np.ndarray]:
        """Posts created at or after ``since_step`` (what feeds are drawn from), and their roots.

        Older posts are let go of: the window only moves forward.
        """
        keep = self.posts["created_step"] >= since_step
        if not keep.all():
            self.posts = {c: v[keep] for c, v in self.posts.items()}
        p = self.posts
        table = PostTable(
            p["post_id"], p["user_id"], p["created_at"], p["num_likes"], p["num_dislikes"],
            p["num_shares"],
        )  # fmt: skip
        return table, p["root_id"]

    def apply(self, changes: StepChanges) -> None:
        """Move the state past a committed step by what that step changed."""
        if changes.new_users.size:
            self._add_users(changes.new_users)
        self.follows.change(changes.follows_added, changes.follows_removed)
        self.book.apply(changes)
        self.comments.apply(changes)
        at = np.searchsorted(self.user_ids, changes.follower_users)
        np.add.at(self.followers, at, changes.follower_deltas)
        new = changes.posts
        counters = {c: np.zeros(new["post_id"].size, _INT) for c in _COUNTERS}
        self.posts = {
            c: np.concatenate([self.posts[c], counters[c] if c in counters else new[c]])
            for c in POST_COLUMNS
        }
        ids = self.posts["post_id"]
        at = np.searchsorted(ids, changes.post_ids).clip(0, max(ids.size - 1, 0))
        held = ids[at] == changes.post_ids if ids.size else np.zeros(0, bool)
        for k, column in enumerate(_COUNTERS):
            np.add.at(self.posts[column], at[held], changes.post_deltas[held, k])

    def _add_users(self, ids: np.ndarray) -> None:
        ids = np.setdiff1d(ids, self.user_ids)
        at = np.searchsorted(self.user_ids, ids)
        self.user_ids = np.insert(self.user_ids, at, ids)
        self.followers = np.insert(self.followers, at, 0)
        self.follows.add_users(ids)


def engagement(changes: StepChanges) -> dict[str, np.ndarray]:
    """(user, post) of the step's likes, shares and own posts, in key order, for interests.

    The same as the platform's ``Reader.engagement`` of that step, without reading it back.

    Shares and quotes point at what they share or quote; own posts at themselves.
    """
    posts = changes.posts
    pairs = np.concatenate(
        [changes.done_added["like"], np.stack([posts["user_id"], posts["original_id"]], axis=1)]
    )
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    return {"user_id": pairs[:, 0], "post_id": pairs[:, 1]}
