"""In-memory views of the state a step's actions touch, plus what the step changes.

A step loads, in a few bulk queries, every row its actions refer to, then applies the actions
one by one against these overlays; nothing is written until the whole step is decided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

Pair = tuple[int, int]


@dataclass(slots=True)
class PairSet:
    """A relation (such as likes) as loaded, plus the pairs the step adds and removes.

    Adding a pair the step removed cancels the removal (and vice versa), so the net change can
    be written as plain inserts and deletes that never collide. ``known`` are the pairs whose
    stored state was loaded; any other pair is looked up with ``fetch`` the first time it is
    asked about (a post created in this step can point at a root no one referred to before).
    """

    existing: set[Pair]
    known: set[Pair] = field(default_factory=set)
    fetch: Callable[[Pair], bool] | None = None
    added: dict[Pair, str] = field(default_factory=dict)
    removed: set[Pair] = field(default_factory=set)

    def __contains__(self, pair: Pair) -> bool:
        """Whether ``pair`` holds after the changes made so far."""
        if pair in self.added:
            return True
        if pair not in self.known and self.fetch is not None:
            self.known.add(pair)
            if self.fetch(pair):
                self.existing.add(pair)
        return pair in self.existing and pair not in self.removed

    def add(self, pair: Pair, note: str = "") -> None:
        """Make ``pair`` hold; ``note`` is an optional text stored with a new row."""
        if pair in self.removed:
            self.removed.discard(pair)
        else:
            self.added[pair] = note

    def remove(self, pair: Pair) -> None:
        """Make ``pair`` no longer hold."""
        if pair in self.added:
            del self.added[pair]
        else:
            self.removed.add(pair)


class PostInfo(NamedTuple):
    """What actions need to know of a post: its author and where acting on it lands.

    ``root_id`` is the original a repost shares, else the post itself: a quote is a post of its
    own, so likes, comments and shares of it land on it.

    (Named tuples, not frozen dataclasses: a step builds tens of thousands, and a tuple is built
    several times faster.)
    """

    post_id: int
    user_id: int
    root_id: int


class CommentInfo(NamedTuple):
    """What actions need to know of a comment."""

    comment_id: int
    post_id: int
    user_id: int


@dataclass(slots=True)
class Deltas:
    """Counter changes per table, row id and column, written as one update per row."""

    tables: dict[str, dict[int, dict[str, int]]] = field(default_factory=dict)

    def bump(self, table: str, row_id: int, column: str, by: int = 1) -> None:
        """Add ``by`` to ``column`` of row ``row_id`` in ``table``."""
        row = self.tables.setdefault(table, {}).setdefault(row_id, {})
        row[column] = row.get(column, 0) + by

    def by_row(self, table: str) -> dict[int, dict[str, int]]:
        """Non-zero changes of ``table`` grouped by row id, in row id order."""
        rows = self.tables.get(table, {})
        changes = (
            (row_id, {c: n for c, n in rows[row_id].items() if n}) for row_id in sorted(rows)
        )
        return {row_id: change for row_id, change in changes if change}
