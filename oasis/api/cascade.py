"""Cascade figures of one post tree: a pure function over the tree's post columns.

Kept here only until ``oasis.analysis.cascade`` lands; then the API should call that instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CascadePoint:
    """Figures of a cascade as it stood after ``step``."""

    step: int
    scale: int
    depth: int
    max_breadth: int


def node_depths(post_ids: Sequence[int], parent_ids: Sequence[int | None]) -> list[int]:
    """Depth of each post (root 0), given parents listed before their children."""
    depth: dict[int, int] = {}
    for post_id, parent in zip(post_ids, parent_ids, strict=True):
        # A parent outside the given rows can only be the root itself.
        depth[post_id] = 0 if parent is None else depth.get(parent, 0) + 1
    return [depth[p] for p in post_ids]


def cascade_over_time(
    user_ids: Sequence[int], depths: Sequence[int], steps: Sequence[int]
) -> list[CascadePoint]:
    """Scale (distinct users), depth and max breadth after each step at which the tree grew."""
    order = sorted(range(len(steps)), key=lambda i: steps[i])
    users: set[int] = set()
    level: Counter[int] = Counter()
    points: list[CascadePoint] = []
    for n, i in enumerate(order):
        users.add(user_ids[i])
        level[depths[i]] += 1
        if n + 1 == len(order) or steps[order[n + 1]] != steps[i]:
            points.append(CascadePoint(steps[i], len(users), max(level), max(level.values())))
    return points
