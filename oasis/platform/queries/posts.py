"""Queries about posts: one post and its comments and shares, rankings, search and cascades."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select, union_all

from oasis.platform.handlers.reads import _like_pattern
from oasis.platform.schema import Comment, Like, Post, is_repost, share_root

_POST = select(Post.__table__)
_LIKE = Like.__table__.c


class PostQueries:
    """Posts, comments, reposts and quotes, top and trending posts, and cascade trees."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def post(self, post_id: int) -> dict[str, Any] | None:
        """One post with its ``root_id`` (see :func:`share_root`), or ``None`` when unknown."""
        query = _POST.add_columns(share_root().label("root_id")).where(Post.post_id == post_id)
        row = self.conn.execute(query).mappings().first()
        return None if row is None else dict(row)

    def by_user(self, user_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """Posts, reposts and quotes by ``user_id``, newest first."""
        query = _POST.where(Post.user_id == user_id).order_by(Post.post_id.desc())
        return self._page(query, limit, offset)

    def comments(self, root_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """Comments on the root post ``root_id``, oldest first."""
        query = select(Comment.__table__).where(Comment.post_id == root_id)
        return self._page(query.order_by(Comment.comment_id), limit, offset)

    def shares(self, post_id: int, quotes: bool, limit: int, offset: int) -> list[dict[str, Any]]:
        """Reposts (or quotes) made directly of ``post_id``, oldest first."""
        kind = Post.quote_content.is_not(None) if quotes else Post.quote_content.is_(None)
        query = _POST.where(Post.parent_post_id == post_id, kind).order_by(Post.post_id)
        return self._page(query, limit, offset)

    def search(self, text: str, limit: int, offset: int) -> list[dict[str, Any]]:
        """Posts and quotes whose text contains ``text``, newest first."""
        query = _POST.where(Post.content.like(_like_pattern(text), escape="\\"))
        return self._page(query.order_by(Post.post_id.desc()), limit, offset)

    def top(self, first: int, last: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """Posts and quotes (not reposts) created in steps ``first..last``, most liked first."""
        query = _POST.where(~is_repost(), Post.created_step.between(first, last)).order_by(
            Post.num_likes.desc(), Post.num_shares.desc(), Post.post_id
        )
        return self._page(query, limit, offset)

    def trending(self, first: int, last: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """Posts by engagement (likes, comments, shares, quotes) received in steps ``first..last``.

        Each row carries its ``score``: the count of those events.
        """
        events = union_all(
            select(_LIKE.post_id.label("root")).where(_LIKE.created_step.between(first, last)),
            select(Comment.post_id).where(Comment.created_step.between(first, last)),
            select(Post.original_post_id).where(
                Post.original_post_id.is_not(None), Post.created_step.between(first, last)
            ),
        ).subquery()
        scores = (
            select(events.c.root, func.count().label("score")).group_by(events.c.root).subquery()
        )
        query = (
            select(Post.__table__, scores.c.score)
            .join(scores, scores.c.root == Post.post_id)
            .order_by(scores.c.score.desc(), Post.post_id)
        )
        return self._page(query, limit, offset)

    def cascade(self, root_id: int) -> list[dict[str, Any]]:
        """The root post and every repost and quote of it, by post id (parents come first).

        Reposts of a quote are in the quote's own cascade, not in its root's.
        """
        query = (
            select(
                Post.post_id,
                Post.user_id,
                Post.original_post_id,
                Post.parent_post_id,
                Post.created_step,
                Post.created_at,
                Post.quote_content.is_not(None).label("is_quote"),
            )
            .where(or_(Post.post_id == root_id, Post.original_post_id == root_id))
            .order_by(Post.post_id)
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def _page(self, query: Any, limit: int, offset: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(query.limit(limit).offset(offset)).mappings()
        return [dict(r) for r in rows]
