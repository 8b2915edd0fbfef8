"""Aggregated reads for the dashboard: counts, top lists and bounded scans, never whole tables.

Each query returns at most a few hundred rows, so a page stays fast on a million-user run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import Connection, column, func, inspect, select, table

from oasis.platform.feed_log import _from_bytes, read_feeds
from oasis.platform.schema import FeedLog, Post, StepMetrics, Trace, User

# Feed-log steps read per call when looking for one user's feeds (each is one blob of ids).
FEED_SCAN_STEPS = 200
# Stance rows (user_id, step, stance: changes only) where the run keeps stances; named here
# rather than imported so the dashboard reads runs made with or without them.
STANCE = table("stance", column("user_id"), column("step"), column("stance"))


class SummaryQueries:
    """Counts of the run, its largest cascades, one user's feed history, interview answers."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def counts(self) -> dict[str, int]:
        """How many users the platform holds, and the highest post id (posts made)."""
        users = self.conn.scalar(select(func.count()).select_from(User))
        posts = self.conn.scalar(select(func.max(Post.post_id)))
        return {"users": int(users or 0), "posts": int(posts or 0)}

    def initial_users(self) -> int:
        """How many users the population loaded before the first step."""
        query = select(func.count()).select_from(User).where(User.created_step < 0)
        return int(self.conn.scalar(query) or 0)

    def last_sim_time(self) -> float | None:
        """The simulated time (seconds) of the last committed step, if any."""
        query = select(StepMetrics.sim_time).order_by(StepMetrics.step.desc()).limit(1)
        value = self.conn.scalar(query)
        return None if value is None else float(value)

    def top_cascades(self, limit: int) -> list[dict[str, Any]]:
        """Root posts with the most shares (reposts and quotes), most first.

        Each row has the root's ``post_id``, ``user_id``, ``content``, ``created_step`` and its
        ``shares``.
        """
        shares = (
            select(Post.original_post_id.label("root"), func.count().label("shares"))
            .where(Post.original_post_id.is_not(None))
            .group_by(Post.original_post_id)
            .order_by(func.count().desc(), Post.original_post_id)
            .limit(limit)
            .subquery()
        )
        query = (
            select(Post.post_id, Post.user_id, Post.content, Post.created_step, shares.c.shares)
            .join(shares, shares.c.root == Post.post_id)
            .order_by(shares.c.shares.desc(), Post.post_id)
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def feed_history(
        self, user_id: int, before: int | None, limit: int
    ) -> tuple[list[tuple[int, list[int]]], int | None]:
        """The feeds ``user_id`` was given at steps before ``before``, newest first.

        At most :data:`FEED_SCAN_STEPS` logged steps are read per call; the second value is the
        ``before`` to ask with for older feeds (``None`` when none are left).
        """
        steps_query = select(FeedLog.step).order_by(FeedLog.step.desc())
        if before is not None:
            steps_query = steps_query.where(FeedLog.step < before)
        steps = list(self.conn.scalars(steps_query.limit(FEED_SCAN_STEPS + 1)))
        found: list[tuple[int, list[int]]] = []
        for step in steps[:FEED_SCAN_STEPS]:
            post_ids = self._feed_of(int(step), user_id)
            if post_ids is not None:
                found.append((int(step), post_ids))
                if len(found) == limit:
                    return found, int(step)
        more = len(steps) > FEED_SCAN_STEPS
        return found, int(steps[FEED_SCAN_STEPS - 1]) if more else None

    def _feed_of(self, step: int, user_id: int) -> list[int] | None:
        blob = self.conn.scalar(select(FeedLog.user_ids).where(FeedLog.step == step))
        if blob is None:
            return None
        row = np.flatnonzero(_from_bytes(blob) == user_id)
        if not row.size:
            return None
        feeds = read_feeds(self.conn, step)
        assert feeds is not None
        first, last = feeds.indptr[row[0]], feeds.indptr[row[0] + 1]
        return [int(p) for p in feeds.post_ids[first:last]]

    def interview_answers(self, limit: int, user_id: int | None = None) -> list[dict[str, Any]]:
        """Answered interviews (``user_id``, ``step``, ``answer``), newest first."""
        query = select(Trace.user_id, Trace.step, Trace.args).where(
            Trace.action == "interview", Trace.ok.is_(True)
        )
        if user_id is not None:
            query = query.where(Trace.user_id == user_id)
        rows = self.conn.execute(query.order_by(Trace.trace_id.desc()).limit(limit)).mappings()
        return [
            {"user_id": r["user_id"], "step": r["step"], "answer": str(r["args"]["response"])}
            for r in rows
            if isinstance(r["args"], dict) and r["args"].get("response")
        ]

    def has_table(self, name: str) -> bool:
        """Whether the database has a table ``name`` (tables other features may add)."""
        return bool(inspect(self.conn).has_table(name))

    def keeps_stances(self) -> bool:
        """Whether the run stores stances: a run with opinions writes every starting stance."""
        if not self.has_table("stance"):
            return False
        return self.conn.scalar(select(STANCE.c.user_id).limit(1)) is not None

    def stance_history(self, user_id: int, limit: int) -> list[dict[str, Any]] | None:
        """``user_id``'s stored stance changes by step, or ``None`` when the run keeps none."""
        if not self.keeps_stances():
            return None
        query = (
            select(STANCE.c.step, STANCE.c.stance)
            .where(STANCE.c.user_id == user_id)
            .order_by(STANCE.c.step)
            .limit(limit)
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def stance_changes(self, max_rows: int) -> tuple[np.ndarray, int] | None:
        """Stance changes as rows of (user_id, step, stance), by step, of a sample of agents.

        Agents whose id is a multiple of the returned stride are kept, the stride chosen so that
        at most about ``max_rows`` rows are read. ``None`` when the run keeps no stances.
        """
        if not self.keeps_stances():
            return None
        total = int(self.conn.scalar(select(func.count()).select_from(STANCE)) or 0)
        every = max(1, -(-total // max_rows))
        query = select(STANCE.c.user_id, STANCE.c.step, STANCE.c.stance).order_by(STANCE.c.step)
        if every > 1:
            query = query.where(STANCE.c.user_id % every == 0)
        rows = self.conn.execute(query).all()
        return np.array(rows, np.float64).reshape(-1, 3), every
