"""Queries about users: search, profiles, follow lists and the feeds they were given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, or_, select

from oasis.platform.handlers.reads import _like_pattern
from oasis.platform.schema import Follow, Post, Rec, User

_USER = select(User.__table__)
_FOLLOW = Follow.__table__.c


class UserQueries:
    """Users, their followers and followees, and their recorded feeds."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def user(self, user_id: int) -> dict[str, Any] | None:
        """One user, or ``None`` when unknown."""
        row = self.conn.execute(_USER.where(User.user_id == user_id)).mappings().first()
        return None if row is None else dict(row)

    def existing(self, user_ids: Sequence[int]) -> set[int]:
        """Which of ``user_ids`` are users."""
        query = select(User.user_id).where(User.user_id.in_(sorted(set(user_ids))))
        return set(self.conn.scalars(query))

    def name_taken(self, user_name: str) -> bool:
        """Whether a user already has ``user_name``."""
        query = select(User.user_id).where(User.user_name == user_name)
        return self.conn.scalar(query) is not None

    def search(self, text: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        """Users whose user name, name or bio contains ``text`` (all users when ``None``)."""
        query = _USER
        if text:
            pattern = _like_pattern(text)
            columns = (User.user_name, User.name, User.bio)
            query = query.where(or_(*(c.like(pattern, escape="\\") for c in columns)))
        return self._page(query.order_by(User.user_id), limit, offset)

    def followers(self, user_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """Users who follow ``user_id``, by user id."""
        query = _USER.join(Follow.__table__, _FOLLOW.follower_id == User.user_id).where(
            _FOLLOW.followee_id == user_id
        )
        return self._page(query.order_by(User.user_id), limit, offset)

    def followees(self, user_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """Users whom ``user_id`` follows, by user id."""
        query = _USER.join(Follow.__table__, _FOLLOW.followee_id == User.user_id).where(
            _FOLLOW.follower_id == user_id
        )
        return self._page(query.order_by(User.user_id), limit, offset)

    def feed_step(self, user_id: int, until: int | None = None) -> int | None:
        """The last step (at or before ``until``) at which ``user_id`` was given a feed."""
        query = select(func.max(Rec.step)).where(Rec.user_id == user_id)
        if until is not None:
            query = query.where(Rec.step <= until)
        step = self.conn.scalar(query)
        return None if step is None else int(step)

    def feed(self, user_id: int, step: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """The posts given to ``user_id`` at ``step``, in rank order, with ``rank`` added."""
        query = (
            select(Rec.rank, Post.__table__)
            .join(Post, Post.post_id == Rec.post_id)
            .where(Rec.user_id == user_id, Rec.step == step)
            .order_by(Rec.rank)
        )
        return self._page(query, limit, offset)

    def _page(self, query: Any, limit: int, offset: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(query.limit(limit).offset(offset)).mappings()
        return [dict(r) for r in rows]
