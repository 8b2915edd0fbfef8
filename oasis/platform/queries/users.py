"""Queries about users: search, profiles, follow lists and the feeds they were given.

Statements are built once with bound parameters (see :mod:`oasis.platform.queries.posts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, Executable, Integer, Select, String, bindparam, or_, select

from oasis.platform.feed_log import _from_bytes, read_feeds
from oasis.platform.handlers.reads import _like_pattern
from oasis.platform.queries.posts import POSTS
from oasis.platform.queries.rows import dicts, first, paged
from oasis.platform.schema import FeedLog, Follow, Post, User

_USER = select(User.__table__)
_FOLLOW = Follow.__table__.c
_ID = bindparam("id", type_=Integer)
_ONE = _USER.where(User.user_id == _ID)
_EXISTING = select(User.user_id).where(User.user_id.in_(bindparam("ids", expanding=True)))
_NAMED = select(User.user_id).where(User.user_name == bindparam("name"))
_PATTERN = bindparam("pattern", type_=String)


def _follow_page(listed: Any, asked: Any) -> Select[Any]:
    """Users in follow column ``listed`` of the rows whose ``asked`` is the user, by user id."""
    joined = _USER.join(Follow.__table__, listed == User.user_id)
    return paged(joined.where(asked == _ID).order_by(listed))


_ALL = paged(_USER.order_by(User.user_id))
_TEXTS = (User.user_name, User.name, User.bio)
_SEARCH = paged(
    _USER.where(or_(*(c.like(_PATTERN, escape="\\") for c in _TEXTS))).order_by(User.user_id)
)
_FOLLOWERS = _follow_page(_FOLLOW.follower_id, _FOLLOW.followee_id)
_FOLLOWEES = _follow_page(_FOLLOW.followee_id, _FOLLOW.follower_id)
_FEED_POSTS = POSTS.where(Post.post_id.in_(bindparam("ids", expanding=True)))


class UserQueries:
    """Users, their followers and followees, and their recorded feeds."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def user(self, user_id: int) -> dict[str, Any] | None:
        """One user, or ``None`` when unknown."""
        return first(self.conn, _ONE, {"id": user_id})

    def existing(self, user_ids: Sequence[int]) -> set[int]:
        """Which of ``user_ids`` are users."""
        return set(self.conn.scalars(_EXISTING, {"ids": sorted(set(user_ids))}))

    def name_taken(self, user_name: str) -> bool:
        """Whether a user already has ``user_name``."""
        return self.conn.scalar(_NAMED, {"name": user_name}) is not None

    def search(self, text: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        """Users whose user name, name or bio contains ``text`` (all users when ``None``)."""
        if not text:
            return self._rows(_ALL, limit=limit, offset=offset)
        return self._rows(_SEARCH, pattern=_like_pattern(text), limit=limit, offset=offset)

    def followers(self, user_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """Users who follow ``user_id``, by user id."""
        return self._rows(_FOLLOWERS, id=user_id, limit=limit, offset=offset)

    def followees(self, user_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """Users whom ``user_id`` follows, by user id."""
        return self._rows(_FOLLOWEES, id=user_id, limit=limit, offset=offset)

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
        found = {r["post_id"]: r for r in self._rows(_FEED_POSTS, ids=sorted(set(post_ids)))}
        ranked = enumerate(post_ids, first_rank)
        return [found[p] | {"rank": rank} for rank, p in ranked if p in found]

    def _rows(self, query: Executable, **values: Any) -> list[dict[str, Any]]:
        return dicts(self.conn, query, values)
