"""Queries about users: search, profiles, follow lists and the feeds they were given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, or_, select

from oasis.platform.feed_log import _from_bytes, read_feeds
from oasis.platform.handlers.reads import _like_pattern
from oasis.platform.schema import FeedLog, Follow, Post, User

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

    def last_feed(self, user_id: int, until: int | None = None) -> tuple[int, list[int]] | None:
        """The step and ranked post ids of the last feed ``user_id`` got, at or before ``until``.

        Steps are searched newest first, reading only each step's list of users until one has
        ``user_id``.
        """
        steps = select(FeedLog.step).order_by(FeedLog.step.desc())
        if until is not None:
            steps = steps.where(FeedLog.step <= until)
        for step in list(self.conn.scalars(steps)):
            blob = self.conn.execute(
                select(FeedLog.user_ids).where(FeedLog.step == step)
            ).scalar_one()
            row = np.flatnonzero(_from_bytes(blob) == user_id)
            if row.size:
                feeds = read_feeds(self.conn, step)
                assert feeds is not None
                first, last = feeds.indptr[row[0]], feeds.indptr[row[0] + 1]
                return int(step), feeds.post_ids[first:last].tolist()
        return None

    def feed_posts(self, post_ids: Sequence[int], first_rank: int = 0) -> list[dict[str, Any]]:
        """The posts ``post_ids`` in the given order, each with its ``rank`` from ``first_rank``."""
        query = select(Post.__table__).where(Post.post_id.in_(sorted(set(post_ids))))
        found = {r["post_id"]: dict(r) for r in self.conn.execute(query).mappings()}
        ranked = enumerate(post_ids, first_rank)
        return [found[p] | {"rank": rank} for rank, p in ranked if p in found]

    def _page(self, query: Any, limit: int, offset: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(query.limit(limit).offset(offset)).mappings()
        return [dict(r) for r in rows]
