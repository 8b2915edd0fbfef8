"""Actions that read the committed state: searches, trend and listening to group chats.

They see the state as of the end of the previous step, like every observation does, and
return at most ``search_limit`` / ``trend_limit`` rows, with muted users left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Select, or_, select

from oasis.core.actions import Action, ActionResult, ActionType
from oasis.platform.batch import StepBatch
from oasis.platform.handlers.result import ok
from oasis.platform.schema import GroupMember, GroupMessage, Mute, Post, User, is_repost


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _unmuted(column: Any, user_id: int) -> Any:
    muted = select(Mute.mutee_id).where(Mute.muter_id == user_id)
    return column.not_in(muted)


def _rows(batch: StepBatch, query: Select[*tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in batch.conn.execute(query)]


_POST_COLUMNS = (Post.post_id, Post.user_id, Post.content, Post.quote_content, Post.num_likes)


def search_posts(batch: StepBatch, action: Action) -> ActionResult:
    """Posts whose text contains the query, newest first."""
    pattern = _like_pattern(str(action.args["query"]))
    query = (
        select(*_POST_COLUMNS)
        .where(
            Post.content.like(pattern, escape="\\"),
            _unmuted(Post.user_id, action.agent_id),
        )
        .order_by(Post.post_id.desc())
        .limit(batch.settings.search_limit)
    )
    return ok(posts=_rows(batch, query))


def search_user(batch: StepBatch, action: Action) -> ActionResult:
    """Users whose user name, name or bio contains the query."""
    pattern = _like_pattern(str(action.args["query"]))
    query = (
        select(User.user_id, User.user_name, User.name, User.bio, User.num_followers)
        .where(
            or_(*(c.like(pattern, escape="\\") for c in (User.user_name, User.name, User.bio))),
            _unmuted(User.user_id, action.agent_id),
        )
        .order_by(User.user_id)
        .limit(batch.settings.search_limit)
    )
    return ok(users=_rows(batch, query))


def trend(batch: StepBatch, action: Action) -> ActionResult:
    """The most liked posts and quotes (not reposts) of the last ``trend_window_hours``."""
    since = batch.now - batch.settings.trend_window_hours * 3600.0
    query = (
        select(*_POST_COLUMNS)
        .where(
            Post.created_at >= since,
            ~is_repost(),
            _unmuted(Post.user_id, action.agent_id),
        )
        .order_by(Post.num_likes.desc(), Post.post_id)
        .limit(batch.settings.trend_limit)
    )
    return ok(posts=_rows(batch, query))


def listen_from_group(batch: StepBatch, action: Action) -> ActionResult:
    """The latest messages of every group the acting user belongs to."""
    groups = select(GroupMember.group_id).where(GroupMember.user_id == action.agent_id)
    query = (
        select(
            GroupMessage.message_id,
            GroupMessage.group_id,
            GroupMessage.sender_id,
            GroupMessage.content,
        )
        .where(GroupMessage.group_id.in_(groups))
        .order_by(GroupMessage.message_id.desc())
        .limit(batch.settings.search_limit)
    )
    return ok(messages=_rows(batch, query))


HANDLERS: Mapping[ActionType, Callable[[StepBatch, Action], ActionResult]] = {
    ActionType.SEARCH_POSTS: search_posts,
    ActionType.SEARCH_USER: search_user,
    ActionType.TREND: trend,
    ActionType.LISTEN_FROM_GROUP: listen_from_group,
}
