"""What every reader has done to posts and comments, kept in memory between steps.

A heuristic feed step asks, for close to a million (reader, entry) pairs at a million users,
whether the reader already liked, disliked or reposted the entry's original or voted on its top
comment. The answers are kept here as sorted ``reader << 32 | target`` keys per relation, read
from the database once when a run resumes (:meth:`ReaderBook.load`) and moved by each committed
step's own changes (:meth:`ReaderBook.apply`), so a step looks them up with ``searchsorted``
instead of asking the database (``tests/simulation/test_step_state.py`` holds it equal to the
database after every step).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from oasis.core.arrays import member
from oasis.platform import StepChanges
from oasis.platform.entry_state import FLAG_RELATIONS
from oasis.platform.reader import Reader
from oasis.platform.step_changes import DONE_RELATIONS

# The reader-state flags the book answers (whether a reader follows an author is the follow
# graph's): what each is about, and the relations that set it.
_FLAGS = {
    flag: about for flag, about in FLAG_RELATIONS.items() if set(about[1]) <= set(DONE_RELATIONS)
}


class ReaderBook:
    """Sorted ``reader << 32 | target`` keys of the relations of :data:`DONE_RELATIONS`."""

    def __init__(self, keys: dict[str, np.ndarray]) -> None:
        self.keys = keys

    @classmethod
    def empty(cls) -> ReaderBook:
        """A run that has done nothing yet."""
        return cls({name: np.zeros(0, np.int64) for name in DONE_RELATIONS})

    @classmethod
    def load(cls, reader: Reader) -> ReaderBook:
        """The relations as committed."""
        return cls(reader.done_keys())

    def apply(self, changes: StepChanges) -> None:
        """Move the book past a committed step by the pairs it added and removed."""
        for name in DONE_RELATIONS:
            keys = self.keys[name]
            removed = _keys(changes.done_removed[name])
            if removed.size:
                at = np.searchsorted(keys, removed).clip(0, max(keys.size - 1, 0))
                gone = at[keys[at] == removed] if keys.size else at[:0]
                keys = np.delete(keys, gone)
            added = _keys(changes.done_added[name])
            if added.size:
                keys = np.insert(keys, np.searchsorted(keys, added), added)
            self.keys[name] = keys

    def flags(
        self,
        readers: np.ndarray,
        originals: np.ndarray,
        comments: np.ndarray,
        wanted: Collection[str],
    ) -> dict[str, np.ndarray]:
        """Per feed entry, what its reader did to it.

        ``liked``, ``disliked`` and ``reposted`` (the entry's original, ``originals``) and
        ``comment_voted`` (its top comment, ``comments``; -1 for none). Flags not ``wanted``
        come back False.
        """
        targets = {"original": originals, "comment": comments}
        state = {}
        for flag, (target, relations) in _FLAGS.items():
            found = np.zeros(len(readers), bool)
            if flag in wanted:
                right = targets[target]
                keys = (readers.astype(np.int64) << 32) | np.maximum(right, 0).astype(np.int64)
                for name in relations:
                    found |= member(self.keys[name], keys)
                found &= right >= 0
            state[flag] = found
        return state


def _keys(pairs: np.ndarray) -> np.ndarray:
    """``(m, 2)`` pairs in key order as ``left << 32 | right`` keys (sorted)."""
    pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
    keys: np.ndarray = (pairs[:, 0] << 32) | pairs[:, 1]
    return keys
