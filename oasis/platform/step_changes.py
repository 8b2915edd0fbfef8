"""What a committed step changed, as columns: what the loop's in-memory step state moves by.

Read from the step's batch after its actions are applied (the rows it inserted, the pairs it
added and removed, the counters it moved), so the loop keeps the follow graph, follower counts
and the candidate posts up to date without reading them back from the database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from oasis.platform.batch import StepBatch
from oasis.platform.overlay import Pair

_INT = np.int64


@dataclass(frozen=True, slots=True)
class StepChanges:
    """One step's changes to the follow graph, the users, posts and comments, counters and votes.

    Attributes:
        new_users: Ids of the users who signed up, ascending.
        follows_added: ``(m, 2)`` (follower, followee) rows the step added, in key order.
        follows_removed: ``(m, 2)`` rows it removed, in key order.
        follower_users: Users whose follower count moved, ascending ...
        follower_deltas: ... and by how much.
        posts: The posts created: ``post_id``, ``user_id``, ``root_id`` (where acting on it
            lands), ``original_id`` (what a share shares, else the post itself),
            ``created_step`` and ``created_at``, ascending by post id.
        post_ids: Posts whose like, dislike or share counters moved, ascending ...
        post_deltas: ... and by how much: ``(n, 3)`` likes, dislikes, shares.
        comments: The comments created: ``comment_id`` and ``post_id`` (the root it is on),
            ascending by comment id.
        comment_ids: Comments whose like or dislike counters moved, ascending ...
        comment_posts: ... the posts they are on ...
        comment_deltas: ... and by how much: ``(n, 2)`` likes, dislikes.
        done_added: Per relation of :data:`DONE_RELATIONS`, the ``(m, 2)`` (user, target)
            pairs the step added, in key order (likes: (user, post)) ...
        done_removed: ... and those it removed.
    """

    new_users: np.ndarray
    follows_added: np.ndarray
    follows_removed: np.ndarray
    follower_users: np.ndarray
    follower_deltas: np.ndarray
    posts: dict[str, np.ndarray]
    post_ids: np.ndarray
    post_deltas: np.ndarray
    comments: dict[str, np.ndarray]
    comment_ids: np.ndarray
    comment_posts: np.ndarray
    comment_deltas: np.ndarray
    done_added: dict[str, np.ndarray]
    done_removed: dict[str, np.ndarray]


POST_COUNTERS = ("num_likes", "num_dislikes", "num_shares")
COMMENT_COUNTERS = ("num_likes", "num_dislikes")
# What a reader may have done to a post (its original) or a comment, as relations of a step.
DONE_RELATIONS = ("like", "dislike", "repost", "comment_like", "comment_dislike")


def step_changes(batch: StepBatch) -> StepChanges:
    """The changes of an applied (decided) ``batch``."""
    follows = batch.relations["follow"]
    users = batch.deltas.by_row("user")
    followed = [(u, c["num_followers"]) for u, c in users.items() if c.get("num_followers")]
    counted = batch.deltas.by_row("post")
    moved = [(p, c) for p, c in counted.items() if any(c.get(k) for k in POST_COUNTERS)]
    voted = batch.deltas.by_row("comment")
    rated = [(i, c) for i, c in voted.items() if any(c.get(k) for k in COMMENT_COUNTERS)]
    return StepChanges(
        new_users=np.array(sorted(r["user_id"] for r in batch.inserts.get("user", ())), _INT),
        follows_added=_pairs(follows.added),
        follows_removed=_pairs(follows.removed),
        follower_users=np.array([u for u, _ in followed], _INT),
        follower_deltas=np.array([n for _, n in followed], _INT),
        posts=_posts(batch),
        post_ids=np.array([p for p, _ in moved], _INT),
        post_deltas=np.array([[c.get(k, 0) for k in POST_COUNTERS] for _, c in moved], _INT)
        .reshape(-1, len(POST_COUNTERS)),
        comments=_comments(batch),
        comment_ids=np.array([i for i, _ in rated], _INT),
        comment_posts=np.array([batch.comments[i].post_id for i, _ in rated], _INT),
        comment_deltas=np.array([[c.get(k, 0) for k in COMMENT_COUNTERS] for _, c in rated], _INT)
        .reshape(-1, len(COMMENT_COUNTERS)),
        done_added={name: _pairs(batch.relations[name].added) for name in DONE_RELATIONS},
        done_removed={name: _pairs(batch.relations[name].removed) for name in DONE_RELATIONS},
    )  # fmt: skip


def _pairs(pairs: object) -> np.ndarray:
    """Pairs (a set or the keys of a dict) as a ``(m, 2)`` array in key order."""
    rows: list[Pair] = sorted(pairs)  # type: ignore[call-overload]
    return np.array(rows, _INT).reshape(-1, 2)


def _posts(batch: StepBatch) -> dict[str, np.ndarray]:
    rows = sorted(batch.inserts.get("post", ()), key=lambda r: r["post_id"])
    ids = [r["post_id"] for r in rows]
    shared = [r["original_post_id"] for r in rows]
    original = [p if s is None else s for p, s in zip(ids, shared, strict=True)]
    return {
        "post_id": np.array(ids, _INT),
        "user_id": np.array([r["user_id"] for r in rows], _INT),
        "root_id": np.array([batch.posts[p].root_id for p in ids], _INT),
        "original_id": np.array(original, _INT),
        "created_step": np.array([r["created_step"] for r in rows], _INT),
        "created_at": np.array([r["created_at"] for r in rows], np.float64),
    }


def _comments(batch: StepBatch) -> dict[str, np.ndarray]:
    rows = sorted(batch.inserts.get("comment", ()), key=lambda r: r["comment_id"])
    return {
        "comment_id": np.array([r["comment_id"] for r in rows], _INT),
        "post_id": np.array([r["post_id"] for r in rows], _INT),
    }
