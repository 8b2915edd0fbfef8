"""Bulk read queries for the loop, the recommenders and the results: never one query per agent.

Columns come back as numpy arrays; relations among many users as CSR pairs ``(indptr, indices)``
aligned with the requested user ids; post details as plain dicts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Connection, Select, func, select

from oasis.platform.batch import chunks, relation_keys
from oasis.platform.bulk import fetch_ints, int_rows, member_of
from oasis.platform.entry_state import FLAGS, entry_state
from oasis.platform.feed_log import FeedRecord, read_feeds
from oasis.platform.schema import (
    Base,
    Comment,
    Follow,
    GroupMember,
    GroupMessage,
    Like,
    Mute,
    Post,
    SavedMemory,
    Stance,
    StepMetrics,
    Trace,
    User,
    share_root,
)
from oasis.platform.stances import content_stances, latest_stances
from oasis.platform.step_changes import DONE_RELATIONS

CSR = tuple[np.ndarray, np.ndarray]
_INT = np.int64


class Reader:
    """Read queries over one connection (one consistent view when opened in a transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def user_ids(self) -> np.ndarray:
        """Every user id, ascending."""
        return np.fromiter(self.conn.scalars(select(User.user_id).order_by(User.user_id)), _INT)

    def find_posts(self, step: int, wanted: Sequence[tuple[int, str]]) -> list[int | None]:
        """The first post (not a quote) made at ``step`` by each (user, content) pair, or None."""
        users = {u for u, _ in wanted}
        query = (
            select(Post.post_id, Post.user_id, Post.content)
            .where(
                Post.created_step == step,
                Post.original_post_id.is_(None),
                member_of(self.conn, Post.user_id, users),
            )
            .order_by(Post.post_id)
        )
        found: dict[tuple[int, str], int] = {}
        for post_id, user_id, content in self.conn.execute(query) if users else ():
            found.setdefault((user_id, content), post_id)
        return [found.get(w) for w in wanted]

    def find_comments(
        self, step: int, wanted: Sequence[tuple[int, int, str]]
    ) -> list[dict[str, int] | None]:
        """The first comment made at ``step`` for each (user, post, content), with its votes."""
        posts = {p for _, p, _ in wanted}
        query = (
            select(Comment)
            .where(Comment.created_step == step, member_of(self.conn, Comment.post_id, posts))
            .order_by(Comment.comment_id)
        )
        found: dict[tuple[int, int, str], dict[str, int]] = {}
        for c in self.conn.execute(query).mappings() if posts else ():
            key = (c["user_id"], c["post_id"], c["content"])
            found.setdefault(key, {k: c[k] for k in ("comment_id", "num_likes", "num_dislikes")})
        return [found.get(w) for w in wanted]

    def users_created(self, step: int) -> np.ndarray:
        """Ids of the users who signed up at ``step``."""
        query = select(User.user_id).where(User.created_step == step).order_by(User.user_id)
        return np.fromiter(self.conn.scalars(query), _INT)

    def post_table(
        self, since_step: int | None = None, until_step: int | None = None
    ) -> dict[str, np.ndarray]:
        """Columns of posts created at or after ``since_step`` (all posts when ``None``).

        ``until_step`` leaves out those created after it (a replayed step's view).

        ``root_id`` is the original a repost shares, else the post itself (a quote too).
        """
        query = select(
            Post.post_id,
            Post.user_id,
            share_root().label("root_id"),
            Post.created_step,
            Post.created_at,
            Post.num_likes,
            Post.num_dislikes,
            Post.num_shares,
        ).order_by(Post.post_id)
        if since_step is not None:
            query = query.where(Post.created_step >= since_step)
        if until_step is not None:
            query = query.where(Post.created_step <= until_step)
        frame = pd.DataFrame(
            self.conn.execute(query).all(), columns=list(query.selected_columns.keys())
        )
        return {c: frame[c].to_numpy(np.float64 if c == "created_at" else _INT) for c in frame}

    def posts(self, post_ids: Sequence[int], top_comments: int = 3) -> dict[int, dict[str, Any]]:
        """Posts by id with their author's user name, ``root_id`` and most liked comments.

        ``root_id`` is where acting on the post lands (see :func:`share_root`); the comments
        are those on it.
        """
        found: dict[int, dict[str, Any]] = {}
        for part in chunks(sorted(set(post_ids))):
            query = (
                select(
                    Post.__table__,
                    User.user_name.label("author_name"),
                    share_root().label("root_id"),
                )
                .join(User, User.user_id == Post.user_id)
                .where(Post.post_id.in_(part))
            )
            for row in self.conn.execute(query).mappings():
                found[row["post_id"]] = dict(row) | {"comments": []}
        self._attach_comments(found, top_comments)
        return found

    def _attach_comments(self, posts: dict[int, dict[str, Any]], top: int) -> None:
        roots = sorted({p["root_id"] for p in posts.values()})
        by_root: dict[int, list[dict[str, Any]]] = {}
        if roots:
            query = self._best_comments(roots, top)
            for row in self.conn.execute(query.order_by("comment_id")).mappings():
                by_root.setdefault(row["post_id"], []).append(
                    {k: v for k, v in row.items() if k not in ("rank", "score")}
                )
        for post in posts.values():
            post["comments"] = by_root.get(post["root_id"], [])

    def top_comments(self, post_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """Each post's best-scored comment as ``post_id -> (comment_id, likes - dislikes)``."""
        if not len(post_ids):
            return {}
        rows = self.conn.execute(self._best_comments(post_ids, 1)).mappings()
        return {r["post_id"]: (r["comment_id"], r["score"]) for r in rows}

    def post_stances(self, post_ids: Sequence[int]) -> np.ndarray:
        """Each post's author's stance when writing it (NaN: none), aligned with ``post_ids``."""
        return content_stances(self.conn, Post, post_ids)

    def comment_stances(self, comment_ids: Sequence[int]) -> np.ndarray:
        """Each comment's author's stance when writing it (NaN: none), aligned with the ids."""
        return content_stances(self.conn, Comment, comment_ids)

    def comment_scores(self) -> dict[str, np.ndarray]:
        """Every comment's ``comment_id``, ``post_id`` and ``score`` (likes minus dislikes).

        Ascending by comment id, fetched in partitions into int64 columns, never as row
        objects all at once.
        """
        score = Comment.num_likes - Comment.num_dislikes
        query = select(Comment.comment_id, Comment.post_id, score).order_by(Comment.comment_id)
        found = fetch_ints(self.conn, query, 3)
        return {c: found[:, i].copy() for i, c in enumerate(("comment_id", "post_id", "score"))}

    def stances(self, user_ids: Sequence[int]) -> dict[int, float]:
        """Each agent's latest stored stance (agents without one are left out)."""
        return latest_stances(self.conn, user_ids)

    def _best_comments(self, post_ids: Sequence[int], top: int) -> Select[*tuple[Any, ...]]:
        """The ``top`` comments of each post by likes minus dislikes (ties: oldest first)."""
        score = (Comment.num_likes - Comment.num_dislikes).label("score")
        rank = func.row_number().over(
            partition_by=Comment.post_id, order_by=(score.desc(), Comment.comment_id)
        )
        ranked = (
            select(Comment, score, rank.label("rank"))
            .where(member_of(self.conn, Comment.post_id, set(post_ids)))
            .subquery()
        )
        return select(ranked).where(ranked.c.rank <= top)

    def followees(self, user_ids: Sequence[int]) -> CSR:
        """Whom each user follows, as CSR aligned with ``user_ids``."""
        return self._csr(Follow.follower_id, Follow.followee_id, user_ids)

    def done_keys(self) -> dict[str, np.ndarray]:
        """Every reader's likes, dislikes, reposts and comment votes standing now.

        Per relation of :data:`~oasis.platform.step_changes.DONE_RELATIONS`, sorted
        ``user << 32 | target`` keys (a repost's target is its original; quotes are not
        reposts).
        """
        return {name: relation_keys(self.conn, name) for name in DONE_RELATIONS}

    def follow_pairs(self, until_step: int | None = None) -> np.ndarray:
        """Every follow standing now, as ``(m, 2)`` ``(follower, followee)`` in key order.

        ``until_step`` keeps those made by that step (the population's at step -1). Rows are
        fetched in partitions into one int64 array, never as row objects all at once.
        """
        query = select(Follow.follower_id, Follow.followee_id).order_by(
            Follow.follower_id, Follow.followee_id
        )
        if until_step is not None:
            query = query.where(Follow.created_step <= until_step)
        return fetch_ints(self.conn, query, 2)

    def read_results(
        self, user_ids: Sequence[int], step: int, actions: Sequence[str]
    ) -> dict[int, list[tuple[str, dict[str, Any], dict[str, Any]]]]:
        """Each user's successful ``actions`` of ``step`` as ``(action, args, result)``, in order.

        The hits of searches, trends and group listens, which come back to the agent at the
        next step.
        """
        found: dict[int, list[tuple[str, dict[str, Any], dict[str, Any]]]] = {}
        for part in chunks(sorted(set(user_ids))):
            query = (
                select(Trace.user_id, Trace.action, Trace.args, Trace.result)
                .where(
                    Trace.step == step,
                    Trace.ok.is_(True),
                    Trace.action.in_(list(actions)),
                    Trace.user_id.in_(part),
                )
                .order_by(Trace.trace_id)
            )
            for user, action, args, result in self.conn.execute(query):
                found.setdefault(int(user), []).append((str(action), dict(args), dict(result)))
        return found

    def mutes(self, user_ids: Sequence[int]) -> CSR:
        """Whom each user muted, as CSR aligned with ``user_ids``."""
        return self._csr(Mute.muter_id, Mute.mutee_id, user_ids)

    def _csr(self, left: Any, right: Any, user_ids: Sequence[int]) -> CSR:
        parts = [np.empty((0, 2), _INT)]
        for part in chunks(sorted(set(user_ids))):
            parts.append(int_rows(self.conn.execute(select(left, right).where(left.in_(part))), 2))
        return csr_from_pairs(user_ids, np.concatenate(parts))

    def follower_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Every user id (ascending) and its follower count, fetched in partitions."""
        query = select(User.user_id, User.num_followers).order_by(User.user_id)
        both = fetch_ints(self.conn, query, 2)
        return both[:, 0].copy(), both[:, 1].copy()

    def user_counts(self, user_ids: Sequence[int]) -> dict[str, np.ndarray]:
        """Follower and following counts aligned with ``user_ids`` (0 for unknown users)."""
        counts = self._by_user(
            select(User.user_id, User.num_followers, User.num_followings), user_ids
        )
        ids = list(user_ids)
        return {
            "followers": np.array([counts.get(u, (0, 0))[0] for u in ids], _INT),
            "followings": np.array([counts.get(u, (0, 0))[1] for u in ids], _INT),
        }

    def profiles(self, user_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """User name, name and bio of each user."""
        query = select(User.user_id, User.user_name, User.name, User.bio, User.persona)
        rows = self._by_user(query, user_ids)
        keys = ("user_name", "name", "bio", "persona")
        return {u: dict(zip(keys, r, strict=True)) for u, r in rows.items()}

    def memories(self, user_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Saved agent memories of the users that have one."""
        rows = self._by_user(select(SavedMemory.user_id, SavedMemory.memory), user_ids)
        return {u: r[0] for u, r in rows.items()}

    def _by_user(
        self, query: Select[*tuple[Any, ...]], user_ids: Sequence[int]
    ) -> dict[int, tuple[Any, ...]]:
        key = query.selected_columns[0]
        found: dict[int, tuple[Any, ...]] = {}
        for part in chunks(sorted(set(user_ids))):
            found.update(
                (r[0], tuple(r[1:])) for r in self.conn.execute(query.where(key.in_(part)))
            )
        return found

    def notifications(self, user_ids: Sequence[int], since_step: int) -> dict[int, dict[str, int]]:
        """What happened to each user's posts and account since ``since_step``, as counts."""
        mine = Post.user_id.label("owner")
        sources: dict[str, Select[*tuple[Any, ...]]] = {
            "likes": select(mine, func.count())
            .join(Like, Like.post_id == Post.post_id)
            .where(Like.created_step >= since_step),
            "comments": select(mine, func.count())
            .join(Comment, Comment.post_id == Post.post_id)
            .where(Comment.created_step >= since_step),
            "new_followers": select(Follow.followee_id.label("owner"), func.count()).where(
                Follow.created_step >= since_step
            ),
        }
        shares = Post.__table__.alias("share")
        sources["shares"] = (
            select(mine, func.count())
            .join(shares, shares.c.original_post_id == Post.post_id)
            .where(shares.c.created_step >= since_step)
        )
        result: dict[int, dict[str, int]] = {u: {} for u in user_ids}
        for name, query in sources.items():
            owner = query.selected_columns[0]
            for part in chunks(sorted(set(user_ids))):
                for user_id, count in self.conn.execute(
                    query.where(owner.in_(part)).group_by(owner)
                ):
                    result[user_id][name] = count
        return result

    def group_messages(
        self, user_ids: Sequence[int], since_step: int, limit: int = 5
    ) -> dict[int, list[dict[str, Any]]]:
        """The latest messages since ``since_step`` in each user's groups."""
        result: dict[int, list[dict[str, Any]]] = {u: [] for u in user_ids}
        for part in chunks(sorted(set(user_ids))):
            query = (
                select(GroupMember.user_id.label("member_id"), GroupMessage.__table__)
                .join(GroupMessage, GroupMessage.group_id == GroupMember.group_id)
                .where(GroupMember.user_id.in_(part), GroupMessage.created_step >= since_step)
                .order_by(GroupMember.user_id, GroupMessage.message_id.desc())
            )
            for row in self.conn.execute(query).mappings():
                messages = result[row["member_id"]]
                if len(messages) < limit:
                    messages.append({k: v for k, v in row.items() if k != "member_id"})
        return result

    def engagement(self, step: int) -> dict[str, np.ndarray]:
        """(user_id, post_id) pairs of the step's likes, shares and own posts, for interest updates.

        Reposts and quotes point at the post they share or quote; own posts at themselves.
        """
        likes = select(Like.user_id, Like.post_id).where(Like.created_step == step)
        posts = select(Post.user_id, func.coalesce(Post.original_post_id, Post.post_id)).where(
            Post.created_step == step
        )
        pairs = [*self.conn.execute(likes), *self.conn.execute(posts)]
        array = np.array(sorted(pairs), _INT).reshape(-1, 2)
        return {"user_id": array[:, 0], "post_id": array[:, 1]}

    def entry_state(
        self,
        readers: np.ndarray,
        originals: np.ndarray,
        authors: np.ndarray,
        comments: np.ndarray,
        wanted: Collection[str] = FLAGS,
    ) -> dict[str, np.ndarray]:
        """What each feed entry's reader already did to it (see :func:`entry_state`)."""
        return entry_state(self.conn, readers, originals, authors, comments, wanted)

    def originals(self, post_ids: Sequence[int]) -> dict[str, np.ndarray]:
        """Author, likes, shares and creation time of ``post_ids`` (originals), aligned."""
        query = select(Post.post_id, Post.user_id, Post.num_likes, Post.num_shares)
        query = query.add_columns(Post.created_at)
        rows = {r[0]: tuple(r[1:]) for r in self.conn.execute(
            query.where(member_of(self.conn, Post.post_id, set(post_ids)))
        )} if len(post_ids) else {}  # fmt: skip
        table = np.array([rows[int(p)][:3] for p in post_ids], _INT).reshape(-1, 3)
        created = np.array([rows[int(p)][3] for p in post_ids], np.float64)
        return {
            "user_id": table[:, 0],
            "likes": table[:, 1],
            "shares": table[:, 2],
            "created_at": created,
        }

    def feeds(self, step: int) -> FeedRecord | None:
        """The feeds given at ``step`` (None when that step stored none)."""
        return read_feeds(self.conn, step)

    def post_texts(self, first_step: int, last_step: int) -> tuple[np.ndarray, list[str]]:
        """Ids and texts of posts created in ``[first_step, last_step]``, for embedding.

        A repost reads as its original's text; a quote as the quoted text, then its own.
        """
        return self._post_texts(Post.created_step.between(first_step, last_step))

    def texts_of_posts(self, post_ids: Sequence[int]) -> tuple[np.ndarray, list[str]]:
        """Ids and texts of the posts ``post_ids`` that exist, as :meth:`post_texts` reads them."""
        return self._post_texts(member_of(self.conn, Post.post_id, set(post_ids)))

    def _post_texts(self, where: ColumnElement[bool]) -> tuple[np.ndarray, list[str]]:
        root = Post.__table__.alias("root")
        query = (
            select(Post.post_id, root.c.content, Post.content)
            .join(root, root.c.post_id == Post.original_post_id, isouter=True)
            .where(where)
            .order_by(Post.post_id)
        )
        ids, texts = [], []
        for post_id, shared, content in self.conn.execute(query):
            ids.append(post_id)
            texts.append(" ".join(t for t in (shared, content) if t))
        return np.array(ids, _INT), texts

    def results_tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The whole trace, posts and step metrics, for the results folder."""
        return self.table(Trace), self.table(Post), self.table(StepMetrics)

    def stance_table(self) -> pd.DataFrame:
        """Every stored stance row (user_id, step, stance), for the results folder."""
        return self.table(Stance)

    def step_figures(self) -> list[dict[str, Any]]:
        """Every committed step's figures (the metrics stored with it), in step order."""
        metrics = self.table(StepMetrics).sort_values("step")
        return list(metrics["metrics"])

    def table(self, model: type[Base], where: Any = None) -> pd.DataFrame:
        """A whole table (optionally filtered) as a DataFrame, for results export."""
        query = select(model.__table__)
        if where is not None:
            query = query.where(where)
        result = self.conn.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def csr_from_pairs(user_ids: Sequence[int], pairs: np.ndarray) -> CSR:
    """CSR ``(indptr, indices)`` of ``(m, 2)`` ``pairs`` grouped by left id, per ``user_ids``.

    Rows follow ``user_ids`` (which may repeat); each row's right ids ascend. Sorts, no dict.
    """
    ids = np.asarray(user_ids, _INT).reshape(-1)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    start = np.searchsorted(pairs[:, 0], ids, "left")
    counts = np.searchsorted(pairs[:, 0], ids, "right") - start
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(_INT)
    at = np.repeat(start - indptr[:-1], counts) + np.arange(indptr[-1], dtype=_INT)
    return indptr, pairs[at, 1].astype(_INT)
