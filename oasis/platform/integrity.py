"""Checkers of the platform's invariants, used by tests and by the determinism checker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from oasis.platform.schema import (
    Base,
    ChatGroup,
    Comment,
    CommentDislike,
    CommentLike,
    Dislike,
    Follow,
    GroupMember,
    Like,
    Post,
    Report,
    User,
)

# (counter column, key column of its table, relation column counted)
_COUNTERS: list[tuple[Any, Any, Any]] = [
    (Post.num_likes, Post.post_id, Like.post_id),
    (Post.num_dislikes, Post.post_id, Dislike.post_id),
    (Post.num_reports, Post.post_id, Report.post_id),
    (Comment.num_likes, Comment.comment_id, CommentLike.comment_id),
    (Comment.num_dislikes, Comment.comment_id, CommentDislike.comment_id),
    (User.num_followers, User.user_id, Follow.followee_id),
    (User.num_followings, User.user_id, Follow.follower_id),
    (ChatGroup.num_members, ChatGroup.group_id, GroupMember.group_id),
]


def counter_mismatches(conn: Connection) -> list[str]:
    """Every stored counter that differs from a recount of the rows it counts."""
    found: list[str] = []
    checks = [*_COUNTERS, (Post.num_shares, Post.post_id, _shares())]
    for counter, key, counted in checks:
        recount = (
            select(func.count()).select_from(counted.table).where(counted == key).scalar_subquery()
        )
        query = select(key, counter, recount).where(counter != recount)
        for row_id, stored, actual in conn.execute(query):
            found.append(f"{counter}: row {row_id} stores {stored}, recount {actual}")
    return found


def _shares() -> Any:
    shares = Post.__table__.alias("share")
    return shares.c.original_post_id


# Tables about the run rather than the simulated world: its config and wall-clock timings.
BOOKKEEPING = frozenset({"run", "step_metrics"})


def dump(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every world table's rows, sorted: equal dumps mean equal simulated worlds.

    The bookkeeping tables (:data:`BOOKKEEPING`) are left out: two runs of the same experiment
    differ there in their output folder and timings only.
    """
    result: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in BOOKKEEPING:
            continue
        rows = conn.execute(select(table)).all()
        result[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result
