"""The platform's SQL schema, in SQLAlchemy 2 typed declarative style.

User ids are agent ids. Posts, comments and groups get ids assigned by the platform in canonical
action order (not by the database), so the same actions give the same ids on any backend.
A repost or quote keeps both its ``parent_post_id`` (its author's followees' latest earlier
adoption of the original, else the original: :mod:`oasis.platform.exposure`) and its
``original_post_id`` (the original it shares or quotes): the first gives cascade depth, the
second whose cascade it joins and whose ``num_shares`` it counts in.

A repost has no text of its own: likes, comments, reports and shares of it land on its original
(:func:`share_root`). A quote is a post of its own, as on X: its text is in ``content``, and
likes, comments, reposts and quotes of it land on the quote itself, whose own cascade they make.

Against OASIS's post table (camel-ai/oasis 0.2.5), column by column: ``post_id``, ``user_id``,
``original_post_id``, ``quote_content`` (the quoting text, set only on quotes), the counters and
``created_at`` mean the same; a quote's ``content`` holds the quote's own text (the same as its
``quote_content``), where OASIS copies the quoted post's text (join ``original_post_id`` for it).
Quoting a quote quotes that quote (OASIS records the quote's original instead).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    and_,
    case,
    column,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every platform table."""


def table_of(model: type[Base]) -> Table:
    """The Core table behind a mapped class."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class Run(Base):
    """One simulation run: its seed, config and the last step committed as a whole."""

    __tablename__ = "run"
    run_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seed: Mapped[int] = mapped_column(Integer)
    config: Mapped[dict[str, object]] = mapped_column(JSON)
    last_step: Mapped[int] = mapped_column(Integer, server_default="-1")
    status: Mapped[str] = mapped_column(String(16), server_default="created")


class User(Base):
    """A platform user; ``user_id`` is the agent id."""

    __tablename__ = "user"
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_name: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    bio: Mapped[str] = mapped_column(Text, server_default="")
    persona: Mapped[str] = mapped_column(Text, server_default="")
    created_step: Mapped[int] = mapped_column(Integer)
    num_followings: Mapped[int] = mapped_column(Integer, server_default="0")
    num_followers: Mapped[int] = mapped_column(Integer, server_default="0")


class Post(Base):
    """A post, repost (``content`` empty) or quote (``quote_content`` set, equal to ``content``)."""

    __tablename__ = "post"
    post_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"))
    original_post_id: Mapped[int | None] = mapped_column(ForeignKey("post.post_id"))
    parent_post_id: Mapped[int | None] = mapped_column(ForeignKey("post.post_id"))
    content: Mapped[str] = mapped_column(Text, server_default="")
    quote_content: Mapped[str | None] = mapped_column(Text)
    created_step: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float)
    num_likes: Mapped[int] = mapped_column(Integer, server_default="0")
    num_dislikes: Mapped[int] = mapped_column(Integer, server_default="0")
    num_shares: Mapped[int] = mapped_column(Integer, server_default="0")
    num_reports: Mapped[int] = mapped_column(Integer, server_default="0")
    __table_args__ = (
        Index("ix_post_user_step", "user_id", "created_step"),
        Index("ix_post_step", "created_step"),
        # With the sharer: "has u shared p" is one look-up, not a walk over every share of p
        # (a popular post's thousands: that walk took most of a 100,000-user run's steps).
        Index("ix_post_original", "original_post_id", "user_id"),
        Index("ix_post_parent", "parent_post_id"),  # a post's direct reposts and quotes
    )


def share_root(posts: Any = Post.__table__.c) -> ColumnElement[int]:
    """Where acting on a post lands: a repost's original, else the post itself (quotes too).

    ``posts`` are the columns of the post table or of an alias of it.
    """
    is_share = posts.quote_content.is_(None)
    return func.coalesce(case((is_share, posts.original_post_id)), posts.post_id)


def is_repost(posts: Any = Post.__table__.c) -> ColumnElement[bool]:
    """Whether a post is a repost (it shares an original and has no text of its own)."""
    return and_(posts.original_post_id.is_not(None), posts.quote_content.is_(None))


class Comment(Base):
    """A comment on a (root) post."""

    __tablename__ = "comment"
    comment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.post_id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"))
    content: Mapped[str] = mapped_column(Text)
    created_step: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float)
    num_likes: Mapped[int] = mapped_column(Integer, server_default="0")
    num_dislikes: Mapped[int] = mapped_column(Integer, server_default="0")
    __table_args__ = (Index("ix_comment_post", "post_id"),)


class _PairRow:
    """A relation row keyed by its two ids (declared first, in order), with its creation step."""

    created_step: Mapped[int] = mapped_column(Integer)


class Like(_PairRow, Base):
    """A user's like of a (root) post."""

    __tablename__ = "like"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.post_id"), primary_key=True)
    __table_args__ = (Index("ix_like_post_id", "post_id"),)


class Dislike(_PairRow, Base):
    """A user's dislike of a (root) post."""

    __tablename__ = "dislike"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.post_id"), primary_key=True)
    __table_args__ = (Index("ix_dislike_post_id", "post_id"),)


class CommentLike(_PairRow, Base):
    """A user's like of a comment."""

    __tablename__ = "comment_like"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"), primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.comment_id"), primary_key=True)
    __table_args__ = (Index("ix_comment_like_comment_id", "comment_id"),)


class CommentDislike(_PairRow, Base):
    """A user's dislike of a comment."""

    __tablename__ = "comment_dislike"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"), primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.comment_id"), primary_key=True)
    __table_args__ = (Index("ix_comment_dislike_comment_id", "comment_id"),)


class Follow(_PairRow, Base):
    """``follower_id`` follows ``followee_id``."""

    __tablename__ = "follow"
    follower_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"), primary_key=True)
    followee_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"), primary_key=True)
    # Followers of a user in follower order straight from the index (API pages, no sort). On
    # SQLite the rows live in the key's own tree (no rowid): ten million follows load in one
    # tree and an index, not two trees and an index.
    __table_args__ = (
        Index("ix_follow_followee", "followee_id", "follower_id"),
        {"sqlite_with_rowid": False},
    )


class Mute(_PairRow, Base):
    """``muter_id`` no longer sees ``mutee_id``'s posts in feeds and searches."""

    __tablename__ = "mute"
    muter_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"), primary_key=True)
    mutee_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"), primary_key=True)
    __table_args__ = (Index("ix_mute_mutee_id", "mutee_id"),)


class GroupMember(_PairRow, Base):
    """A user's membership of a group chat."""

    __tablename__ = "group_member"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("chat_group.group_id"), primary_key=True)
    __table_args__ = (Index("ix_group_member_group_id", "group_id"),)


class Report(Base):
    """A user's report of a post; one per (user, post)."""

    __tablename__ = "report"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.post_id"), primary_key=True)
    created_step: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, server_default="")
    __table_args__ = (Index("ix_report_post_id", "post_id"),)


class Trace(Base):
    """Every action ever applied, successful or not, with its arguments and outcome."""

    __tablename__ = "trace"
    trace_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    step: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, object]] = mapped_column(JSON)
    ok: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, object]] = mapped_column(JSON)
    # Who took it (``oasis.core.actions.Actor``); NULL where the writer did not say.
    actor: Mapped[str | None] = mapped_column(String(16))
    __table_args__ = (
        Index("ix_trace_step", "step"),
        Index("ix_trace_user", "user_id", "step"),
        Index("ix_trace_action", "action", "step"),
        # Failed actions, a few of the millions: listed by trace id without reading the others.
        Index(
            "ix_trace_failed",
            "trace_id",
            sqlite_where=column("ok").is_(false()),
            postgresql_where=column("ok").is_(false()),
        ),
        # People's actions, a few among the agents': listed without reading the others.
        Index(
            "ix_trace_person",
            "trace_id",
            sqlite_where=column("actor") == "person",
            postgresql_where=column("actor") == "person",
        ),
    )


class Product(Base):
    """A product of the e-commerce variant, with its running sales count."""

    __tablename__ = "product"
    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    sales: Mapped[int] = mapped_column(Integer, server_default="0")


class ChatGroup(Base):
    """A group chat."""

    __tablename__ = "chat_group"
    group_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(255))
    created_by: Mapped[int] = mapped_column(ForeignKey("user.user_id"))
    created_step: Mapped[int] = mapped_column(Integer)
    num_members: Mapped[int] = mapped_column(Integer, server_default="0")


class GroupMessage(Base):
    """A message sent to a group chat."""

    __tablename__ = "group_message"
    message_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(ForeignKey("chat_group.group_id"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.user_id"))
    content: Mapped[str] = mapped_column(Text)
    created_step: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_group_message_group_step", "group_id", "created_step"),)


class SavedMemory(Base):
    """An agent's saved memory, written with the step so a resumed run continues it."""

    __tablename__ = "agent_memory"
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    step: Mapped[int] = mapped_column(Integer)
    memory: Mapped[dict[str, object]] = mapped_column(JSON)


class StepMetrics(Base):
    """Figures of one committed step (active agents, actions, LLM usage, timings)."""

    __tablename__ = "step_metrics"
    step: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sim_time: Mapped[float] = mapped_column(Float)
    metrics: Mapped[dict[str, object]] = mapped_column(JSON)


class FeedLog(Base):
    """The feeds given at a step, as one compact CSR record (npy bytes), written with the step.

    Kept so a resumed run knows what every user was already shown, and so the API can tell a
    user's last feed, without a row per feed entry.
    """

    __tablename__ = "feed_log"
    step: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_ids: Mapped[bytes] = mapped_column(LargeBinary)
    indptr: Mapped[bytes] = mapped_column(LargeBinary)
    post_ids: Mapped[bytes] = mapped_column(LargeBinary)


class Stance(Base):
    """An agent's stance in [-1, 1] after ``step`` (-1: the starting stance).

    Written with the step. Only agents whose stance changed get a row, so an agent's stance at a
    step is its latest row up to it; a post or comment carries its author's stance when written.
    """

    __tablename__ = "stance"
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    step: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stance: Mapped[float] = mapped_column(Float)


class ControlCommand(Base):
    """A control command written by the API process for the run to read at a step boundary.

    ``kind`` is pause, resume, post, agent or interview; ``payload`` its arguments. The run takes
    pending commands at the start of a step and marks them ``done`` (or an interview
    ``answered``/``refused``, with ``result``) with the ``step`` they took effect in.
    """

    __tablename__ = "control_command"
    command_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    step: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, object] | None] = mapped_column(JSON)
    __table_args__ = (Index("ix_control_command_status", "status", "command_id"),)


class ParticipantToken(Base):
    """A participant's token: lets one person play one user through the API, and nothing else.

    Only the SHA-256 ``digest`` of the token is kept (tokens are random, so no slow hash is
    needed). ``user_id`` is the user it plays: given when issued to take over an agent, or set
    when its holder joins as a new user. A ``revoked`` token is refused from then on.
    """

    __tablename__ = "participant_token"
    token_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(255), server_default="")
    user_id: Mapped[int | None] = mapped_column(Integer)
    revoked: Mapped[bool] = mapped_column(Boolean, server_default=false())
