"""Checkers of the platform's invariants, used by tests and by the determinism checker."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
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


# Tables about the run rather than the simulated world: its config, wall-clock timings, the
# control commands the API wrote for it and the participants' tokens.
BOOKKEEPING = frozenset({"run", "step_metrics", "control_command", "participant_token"})


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


# Per-step logs that are only ever appended to: a step's rows there never change later. The
# agents' memories are kept as the latest per agent, so they are no such log.
_LATEST_ONLY = frozenset({"agent_memory"})


def step_digests(conn: Connection, last_step: int) -> dict[int, str]:
    """A SHA-256 per committed step up to ``last_step`` over its rows in every per-step log.

    The logs are the tables with a ``step`` column (the trace, the feed log, the feeds when
    kept), bookkeeping left out. Equal digests for a step mean the same actions with the same
    outcomes and the same feeds, so the same world after it (the platform is deterministic).
    """
    digests: dict[int, Any] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in BOOKKEEPING | _LATEST_ONLY or "step" not in table.c:
            continue
        keys = list(table.primary_key.columns)
        query = select(table).where(table.c.step <= last_step).order_by(*keys)
        for row in conn.execute(query).mappings():
            digest = digests.setdefault(row["step"], hashlib.sha256())
            digest.update(table.name.encode())
            digest.update(orjson.dumps(_plain(dict(row)), option=orjson.OPT_SORT_KEYS))
    return {step: digest.hexdigest() for step, digest in sorted(digests.items())}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row JSON can encode: bytes as hex."""
    return {k: v.hex() if isinstance(v, bytes) else v for k, v in row.items()}
