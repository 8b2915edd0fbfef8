"""Stances per agent and step: written with a step, read as the latest row up to a step.

Content carries its author's stance at the time it was written: the author's latest stance row
from a step before the one the post or comment was created in (stances of a step are written
with that step, after everything in it was decided).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, insert, select

from oasis.platform.batch import chunks
from oasis.platform.bulk import execute_many, member_of
from oasis.platform.schema import Post, Stance, table_of


@dataclass(frozen=True, slots=True)
class StanceRecord:
    """New stances of a step: ``stance[i]`` is agent ``user_id[i]``'s."""

    user_id: np.ndarray
    stance: np.ndarray


def write_stances(conn: Connection, step: int, record: StanceRecord) -> None:
    """Store the stances of ``record`` as their agents' stances after ``step``."""
    rows = [
        {"user_id": int(u), "step": step, "stance": float(s)}
        for u, s in zip(record.user_id.tolist(), record.stance.tolist(), strict=True)
    ]
    execute_many(conn, insert(table_of(Stance)), rows)


def latest_stances(conn: Connection, user_ids: Sequence[int]) -> dict[int, float]:
    """Each agent's latest stored stance (agents without one are left out)."""
    last = (
        select(Stance.user_id, func.max(Stance.step).label("step"))
        .where(member_of(conn, Stance.user_id, set(user_ids)))
        .group_by(Stance.user_id)
        .subquery()
    )
    query = select(Stance.user_id, Stance.stance).join(
        last, (last.c.user_id == Stance.user_id) & (last.c.step == Stance.step)
    )
    return {int(u): float(s) for u, s in conn.execute(query)}


def content_stances(conn: Connection, model: Any, ids: Sequence[int]) -> np.ndarray:
    """The author's stance when each post (``model`` Post) or comment (Comment) was written.

    Aligned with ``ids``; NaN where the author had no stance or the id is unknown.
    """
    key = model.post_id if model is Post else model.comment_id
    found: dict[int, float | None] = {}
    for part in chunks(sorted(set(map(int, ids)))):
        query = select(key, stance_of(model.user_id, model.created_step)).where(key.in_(part))
        found.update({int(k): s for k, s in conn.execute(query)})
    values = [found.get(int(i)) for i in ids]
    return np.array([np.nan if v is None else v for v in values], np.float64)


def stance_of(user_id: Any, created_step: Any) -> Any:
    """A correlated scalar subquery: the author's latest stance from before ``created_step``."""
    return (
        select(Stance.stance)
        .where(Stance.user_id == user_id, Stance.step < created_step)
        .order_by(Stance.step.desc())
        .limit(1)
        .scalar_subquery()
    )
