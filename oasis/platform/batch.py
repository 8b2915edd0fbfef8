"""One step's working state: the rows its actions refer to, loaded in bulk, and its writes."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, func, select

from oasis.core.actions import Action, ActionType
from oasis.platform.bulk import fetch_ints, member_of, present_pairs
from oasis.platform.exposure import share_parents
from oasis.platform.overlay import CommentInfo, Deltas, Pair, PairSet, PostInfo
from oasis.platform.schema import (
    ChatGroup,
    Comment,
    CommentDislike,
    CommentLike,
    Dislike,
    Follow,
    GroupMember,
    GroupMessage,
    Like,
    Mute,
    Post,
    Product,
    Report,
    Trace,
    User,
    share_root,
)
from oasis.platform.settings import PlatformSettings

_CHUNK = 5000


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    """Split ``items`` so that no query binds more parameters than a backend allows."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(slots=True)
class StepBatch:
    """State for applying one step: loaded rows, overlays, id counters and pending inserts.

    ``parents`` holds the parent post of each (sharer, root) share the step's actions make, by
    :func:`oasis.platform.exposure.time_inferred_parents`.
    """

    conn: Connection
    settings: PlatformSettings
    step: int
    now: float
    users: set[int]
    user_names: set[str]
    posts: dict[int, PostInfo]
    comments: dict[int, CommentInfo]
    groups: set[int]
    products: dict[str, int]
    relations: dict[str, PairSet]
    next_ids: dict[str, int]
    parents: dict[Pair, int] = field(default_factory=dict)
    deltas: Deltas = field(default_factory=Deltas)
    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def new_id(self, kind: str) -> int:
        """The next id for ``kind`` (post, comment, group, message), in canonical order."""
        self.next_ids[kind] += 1
        return self.next_ids[kind]

    def insert(self, table: str, row: dict[str, Any]) -> None:
        """Queue ``row`` for insertion into ``table`` when the step is written."""
        self.inserts.setdefault(table, []).append(row)


def load_batch(
    conn: Connection, settings: PlatformSettings, step: int, now: float, actions: Sequence[Action]
) -> StepBatch:
    """Load in bulk every row that ``actions`` refer to and open a batch over them.

    Each relation is loaded for exactly the (actor, target) pairs the actions will check: every
    check a handler makes is about the acting agent and the row its arguments point at.
    """
    refs = _references(actions)
    posts = _load_posts(conn, refs["post"])
    wanted = _checked_pairs(actions, posts)
    user_ids = {a.agent_id for a in actions} | refs["user"]
    return StepBatch(
        conn=conn,
        settings=settings,
        step=step,
        now=now,
        users=_load_ids(conn, User.user_id, user_ids),
        user_names=_load_ids(conn, User.user_name, refs["user_name"]),
        posts=posts,
        comments=_load_comments(conn, refs["comment"]),
        groups=_load_ids(conn, ChatGroup.group_id, refs["group"]),
        products=_load_products(conn, refs["product_name"]),
        relations={
            name: _load_pairs(conn, sorted(wanted[name]), *columns)
            for name, columns in RELATIONS.items()
        },
        next_ids=_load_max_ids(conn),
        parents=share_parents(conn, step, now, _shares(actions, posts)),
    )


# A repost is a post by the user whose original is the reposted post; quotes are not reposts.
_NOT_QUOTE = Post.quote_content.is_(None)

# Each relation a handler checks (and a feed entry's reader state reads): its (actor, target)
# columns and any further condition.
RELATIONS: dict[str, tuple[Any, ...]] = {
    "repost": (Post.user_id, Post.original_post_id, _NOT_QUOTE),
    "like": (Like.user_id, Like.post_id),
    "dislike": (Dislike.user_id, Dislike.post_id),
    "report": (Report.user_id, Report.post_id),
    "comment_like": (CommentLike.user_id, CommentLike.comment_id),
    "comment_dislike": (CommentDislike.user_id, CommentDislike.comment_id),
    "follow": (Follow.follower_id, Follow.followee_id),
    "mute": (Mute.muter_id, Mute.mutee_id),
    "group_member": (GroupMember.user_id, GroupMember.group_id),
}

# The relation each action type checks and the argument naming the pair's target. Votes,
# reports and reposts of a post land on its root (a repost's original; a quote is its own).
_CHECKS: dict[ActionType, tuple[str, str]] = {
    ActionType.REPOST: ("repost", "post_id"),
    ActionType.LIKE_POST: ("like", "post_id"),
    ActionType.UNLIKE_POST: ("like", "post_id"),
    ActionType.DISLIKE_POST: ("dislike", "post_id"),
    ActionType.UNDO_DISLIKE_POST: ("dislike", "post_id"),
    ActionType.REPORT_POST: ("report", "post_id"),
    ActionType.LIKE_COMMENT: ("comment_like", "comment_id"),
    ActionType.UNLIKE_COMMENT: ("comment_like", "comment_id"),
    ActionType.DISLIKE_COMMENT: ("comment_dislike", "comment_id"),
    ActionType.UNDO_DISLIKE_COMMENT: ("comment_dislike", "comment_id"),
    ActionType.FOLLOW: ("follow", "followee_id"),
    ActionType.UNFOLLOW: ("follow", "followee_id"),
    ActionType.MUTE: ("mute", "mutee_id"),
    ActionType.UNMUTE: ("mute", "mutee_id"),
    ActionType.JOIN_GROUP: ("group_member", "group_id"),
    ActionType.LEAVE_GROUP: ("group_member", "group_id"),
    ActionType.SEND_TO_GROUP: ("group_member", "group_id"),
}


def _checked_pairs(
    actions: Iterable[Action], posts: Mapping[int, PostInfo]
) -> dict[str, set[Pair]]:
    """The (actor, target) pairs each relation will be asked about, to load in one query each.

    A pair missed here (a root only known once a post of this step exists) is still answered:
    :class:`PairSet` fetches it on demand.
    """
    wanted: dict[str, set[Pair]] = {name: set() for name in RELATIONS}
    for action in actions:
        check = _CHECKS.get(action.type)
        if check is None:
            continue
        relation, arg = check
        target = action.args[arg]
        if arg == "post_id":
            post = posts.get(target)
            if post is None:
                continue
            target = post.root_id
        wanted[relation].add((action.agent_id, target))
    return wanted


_SHARES = frozenset({ActionType.REPOST, ActionType.QUOTE_POST})


def _shares(actions: Iterable[Action], posts: Mapping[int, PostInfo]) -> list[Pair]:
    """The distinct (sharer, root) pairs of the reposts and quotes of posts already stored."""
    pairs = {
        (action.agent_id, posts[action.args["post_id"]].root_id)
        for action in actions
        if action.type in _SHARES and action.args["post_id"] in posts
    }
    return sorted(pairs)


# What each referring argument points at.
_REFERENCES = {
    "post_id": "post",
    "comment_id": "comment",
    "followee_id": "user",
    "mutee_id": "user",
    "group_id": "group",
    "user_name": "user_name",
    "product_name": "product_name",
}


def _references(actions: Iterable[Action]) -> dict[str, set[Any]]:
    """The values the actions refer to, by kind, in one pass over validated actions."""
    refs: dict[str, set[Any]] = {kind: set() for kind in _REFERENCES.values()}
    for action in actions:
        for name, value in action.args.items():
            kind = _REFERENCES.get(name)
            if kind is not None:
                refs[kind].add(value)
    return refs


def _load_ids(conn: Connection, column: Any, ids: Collection[Any]) -> set[Any]:
    if not ids:
        return set()
    return set(conn.scalars(select(column).where(member_of(conn, column, ids))).all())


def _load_posts(conn: Connection, ids: Collection[int]) -> dict[int, PostInfo]:
    if not ids:
        return {}
    query = select(Post.post_id, Post.user_id, share_root())
    rows = conn.execute(query.where(member_of(conn, Post.post_id, ids))).all()
    posts = {pid: PostInfo(pid, uid, root) for pid, uid, root in rows}
    missing_roots = {p.root_id for p in posts.values()} - set(posts)
    return posts | _load_posts(conn, missing_roots)


def _load_comments(conn: Connection, ids: Collection[int]) -> dict[int, CommentInfo]:
    if not ids:
        return {}
    query = select(Comment.comment_id, Comment.post_id, Comment.user_id)
    rows = conn.execute(query.where(member_of(conn, Comment.comment_id, ids))).all()
    return {cid: CommentInfo(cid, pid, uid) for cid, pid, uid in rows}


def _load_products(conn: Connection, names: Collection[str]) -> dict[str, int]:
    if not names:
        return {}
    query = select(Product.name, Product.product_id).where(member_of(conn, Product.name, names))
    return {str(name): int(pid) for name, pid in conn.execute(query)}


def _load_pairs(conn: Connection, pairs: list[Pair], left: Any, right: Any, *extra: Any) -> PairSet:
    """The stored state of ``pairs``, and a lookup for pairs the step comes to ask about later."""

    def fetch(pair: Pair) -> bool:
        query = select(left).where(left == pair[0], right == pair[1], *extra).limit(1)
        return conn.execute(query).first() is not None

    return PairSet(present_pairs(conn, left, right, pairs, *extra), set(pairs), fetch)


def relation_keys(conn: Connection, name: str) -> npt.NDArray[np.int64]:
    """Every stored pair of the relation ``name`` as sorted ``actor << 32 | target`` keys."""
    left, right, *extra = RELATIONS[name]
    pairs = fetch_ints(conn, select(left, right).where(right.is_not(None), *extra), 2)
    return np.sort((pairs[:, 0] << 32) | pairs[:, 1])


def _load_max_ids(conn: Connection) -> dict[str, int]:
    columns = {
        "post": Post.post_id,
        "comment": Comment.comment_id,
        "group": ChatGroup.group_id,
        "message": GroupMessage.message_id,
        "trace": Trace.trace_id,
    }
    return {
        kind: conn.scalar(select(func.coalesce(func.max(c), 0))) or 0 for kind, c in columns.items()
    }
