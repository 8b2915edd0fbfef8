"""One step's working state: the rows its actions refer to, loaded in bulk, and its writes."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from oasis.actions import Action
from oasis.platform.bulk import member_of, pair_source
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
)
from oasis.platform.settings import PlatformSettings

_CHUNK = 5000


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    """Split ``items`` so that no query binds more parameters than a backend allows."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(slots=True)
class StepBatch:
    """State for applying one step: loaded rows, overlays, id counters and pending inserts."""

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
    reposts: set[Pair]
    relations: dict[str, PairSet]
    next_ids: dict[str, int]
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

    Relations are loaded for exactly the (actor, target) pairs the actions name: every check a
    handler makes is about the acting agent and the row its arguments point at.
    """
    refs = _references(actions)
    posts = _load_posts(conn, {p for _, p in refs["post"]})
    on_roots = sorted({(a, posts[p].root_id) for a, p in refs["post"] if p in posts})
    on_comments, on_users, on_groups = (sorted(refs[k]) for k in ("comment", "user", "group"))
    user_ids = {a.agent_id for a in actions} | {u for _, u in on_users}
    return StepBatch(
        conn=conn,
        settings=settings,
        step=step,
        now=now,
        users=_load_ids(conn, User.user_id, user_ids),
        user_names=_load_ids(conn, User.user_name, {n for _, n in refs["user_name"]}),
        posts=posts,
        comments=_load_comments(conn, {c for _, c in on_comments}),
        groups=_load_ids(conn, ChatGroup.group_id, {g for _, g in on_groups}),
        products=_load_products(conn, {n for _, n in refs["product_name"]}),
        reposts=_load_reposts(conn, on_roots),
        relations={
            "like": _load_pairs(conn, Like.user_id, Like.post_id, on_roots),
            "dislike": _load_pairs(conn, Dislike.user_id, Dislike.post_id, on_roots),
            "report": _load_pairs(conn, Report.user_id, Report.post_id, on_roots),
            "comment_like": _load_pairs(
                conn, CommentLike.user_id, CommentLike.comment_id, on_comments
            ),
            "comment_dislike": _load_pairs(
                conn, CommentDislike.user_id, CommentDislike.comment_id, on_comments
            ),
            "follow": _load_pairs(conn, Follow.follower_id, Follow.followee_id, on_users),
            "mute": _load_pairs(conn, Mute.muter_id, Mute.mutee_id, on_users),
            "group_member": _load_pairs(conn, GroupMember.user_id, GroupMember.group_id, on_groups),
        },
        next_ids=_load_max_ids(conn),
    )


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


def _references(actions: Iterable[Action]) -> dict[str, set[tuple[int, Any]]]:
    """(acting agent, referenced value) pairs by kind, in one pass over validated actions."""
    refs: dict[str, set[tuple[int, Any]]] = {kind: set() for kind in _REFERENCES.values()}
    for action in actions:
        for name, value in action.args.items():
            kind = _REFERENCES.get(name)
            if kind is not None:
                refs[kind].add((action.agent_id, value))
    return refs


def _load_ids(conn: Connection, column: Any, ids: Collection[Any]) -> set[Any]:
    if not ids:
        return set()
    return set(conn.scalars(select(column).where(member_of(conn, column, ids))))


def _load_posts(conn: Connection, ids: Collection[int]) -> dict[int, PostInfo]:
    if not ids:
        return {}
    query = select(Post.post_id, Post.user_id, Post.original_post_id)
    rows = conn.execute(query.where(member_of(conn, Post.post_id, ids)))
    posts = {pid: PostInfo(pid, uid, original or pid) for pid, uid, original in rows}
    missing_roots = {p.root_id for p in posts.values()} - set(posts)
    return posts | _load_posts(conn, missing_roots)


def _load_comments(conn: Connection, ids: Collection[int]) -> dict[int, CommentInfo]:
    if not ids:
        return {}
    query = select(Comment.comment_id, Comment.post_id, Comment.user_id)
    rows = conn.execute(query.where(member_of(conn, Comment.comment_id, ids)))
    return {cid: CommentInfo(cid, pid, uid) for cid, pid, uid in rows}


def _load_products(conn: Connection, names: Collection[str]) -> dict[str, int]:
    if not names:
        return {}
    query = select(Product.name, Product.product_id).where(member_of(conn, Product.name, names))
    return {str(name): int(pid) for name, pid in conn.execute(query)}


def _matching(conn: Connection, left: Any, right: Any, pairs: list[Pair], *extra: Any) -> set[Pair]:
    """Those of ``pairs`` present as (left, right) rows (filtered by ``extra`` conditions)."""
    if not pairs:
        return set()
    wanted = pair_source(conn, pairs)
    query = (
        select(left, right)
        .join_from(wanted, left.table, (left == wanted.c.a) & (right == wanted.c.b))
        .where(*extra)
    )
    return {(a, b) for a, b in conn.execute(query)}


def _load_reposts(conn: Connection, pairs: list[Pair]) -> set[Pair]:
    """Those (user, root) pairs for which the user already reposted the root (quotes excluded)."""
    return _matching(conn, Post.user_id, Post.original_post_id, pairs, Post.quote_content.is_(None))


def _load_pairs(conn: Connection, left: Any, right: Any, pairs: list[Pair]) -> PairSet:
    return PairSet(_matching(conn, left, right, pairs))


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
