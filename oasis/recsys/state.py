"""The per-run stores of the recommenders, with saving and loading for resumed runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from oasis.core.arrays import distinct
from oasis.recsys.embedding import Embedder
from oasis.recsys.interest_store import InterestStore
from oasis.recsys.post_lists import PostLists
from oasis.recsys.shown import ShownStore
from oasis.recsys.tables import Feeds, IntArray, RecsysError
from oasis.recsys.vectors import VectorTable

_TABLES = ("posts", "profiles", "moved")


class RecsysState:
    """Post and profile embeddings, interest vectors and shown posts of one run.

    Texts are encoded once: ``add_posts`` when posts are created, ``add_profiles`` when users
    sign up (a profile is re-encoded only if its text changed). ``lists``, where the
    recommender retrieves by interest, keeps the candidates' IVF lists between steps
    (:meth:`place_candidates`); without it an IVF index is trained at every ranking.
    """

    def __init__(
        self,
        embedder: Embedder,
        interest_rate: float = 0.1,
        tables: dict[str, VectorTable] | None = None,
        shown: ShownStore | None = None,
        lists: PostLists | None = None,
    ) -> None:
        tables = tables or {name: VectorTable(embedder.dim) for name in _TABLES}
        self.embedder = embedder
        self.posts = tables["posts"]
        self.interests = InterestStore(tables["profiles"], interest_rate, tables["moved"])
        self.shown = shown if shown is not None else ShownStore()
        self.lists = lists

    def add_posts(self, post_ids: IntArray, texts: Sequence[str]) -> int:
        """Embeds new posts; returns how many texts were encoded."""
        return self.posts.ensure(post_ids, texts, self.embedder)

    def add_profiles(self, user_ids: IntArray, texts: Sequence[str]) -> int:
        """Embeds new or changed profiles; returns how many texts were encoded."""
        return self.interests.profiles.ensure(user_ids, texts, self.embedder)

    def unembedded_posts(self, post_ids: IntArray) -> IntArray:
        """Those of ``post_ids`` without a vector (let go of by :meth:`retain_posts`), distinct."""
        post_ids = np.asarray(post_ids, dtype=np.int64)
        missing: IntArray = distinct(post_ids[self.posts.lookup(post_ids) < 0])
        return missing

    def retain_posts(self, candidate_ids: IntArray) -> None:
        """Forget the vectors and the shown pairs of posts that can no longer be candidates.

        Keeps both stores as large as the candidate window, not the run. A like or share of an
        older post still moves interests toward it: the loop embeds it again first
        (:meth:`unembedded_posts`), to the same vector.
        """
        self.shown.retain_posts(candidate_ids)
        self.posts.retain(candidate_ids)

    def observe_engagement(self, user_ids: IntArray, post_ids: IntArray) -> None:
        """Moves interests toward posts liked, reposted or written (in the order given)."""
        self.interests.observe(user_ids, self.posts.vectors(post_ids))

    def place_candidates(self, post_ids: IntArray) -> None:
        """Keep the IVF lists of the next step's candidates ``post_ids`` (ascending), if any."""
        if self.lists is not None:
            self.lists.place(post_ids, self.posts)

    def record_shown(self, feeds: Feeds) -> None:
        """Remembers the step's feeds, so later feeds skip them."""
        self.shown.add_feeds(feeds)

    def save(self, path: str | Path) -> None:
        """Writes every store to one ``.npz`` file."""
        tables = {"posts": self.posts, "profiles": self.interests.profiles}
        tables["moved"] = self.interests.moved
        arrays: dict[str, Any] = {
            f"{name}.{key}": value
            for name, t in tables.items()
            for key, value in t.to_arrays().items()
        }
        np.savez(path, shown=self.shown.keys, rate=np.float64(self.interests.rate), **arrays)

    @classmethod
    def load(cls, path: str | Path, embedder: Embedder) -> RecsysState:
        """Reads a file written by :meth:`save`; ``embedder`` must match the saved vectors."""
        with np.load(path) as data:
            tables = {
                name: VectorTable.from_arrays(
                    data[f"{name}.ids"], data[f"{name}.digests"], data[f"{name}.vectors"]
                )
                for name in _TABLES
            }
            if tables["posts"].dim != embedder.dim:
                raise RecsysError("saved vectors do not match the embedder's dimension")
            return cls(embedder, float(data["rate"]), tables, ShownStore(data["shown"]))
