"""``check_recommender``: the contract every recommender must keep, checked on real inputs."""

from __future__ import annotations

import numpy as np

from oasis.core.rng import seeded
from oasis.recsys.recommender import Recommender
from oasis.recsys.tables import ActiveUsers, Feeds, PostTable, RecsysError


class ContractViolation(RecsysError):
    """A recommender broke its contract; the message lists every broken rule."""


def _problems(feeds: Feeds, posts: PostTable, users: ActiveUsers, k: int) -> list[str]:
    author_of = dict(zip(posts.post_id.tolist(), posts.author_id.tolist(), strict=True))
    problems = []
    if not np.array_equal(feeds.user_id, users.user_id):
        problems.append("feeds are not exactly the active users, in order")
    for row, (uid, feed) in enumerate(feeds):
        ids = feed.tolist()
        muted = set(users.muted_indices[users.muted_indptr[row] : users.muted_indptr[row + 1]])
        authors = [author_of.get(p) for p in ids]
        checks = {
            f"more than k={k} posts": len(ids) > k,
            "duplicate posts": len(set(ids)) != len(ids),
            "posts that are not candidates": None in authors,
            "own posts": uid in authors,
            "posts by muted authors": bool(muted.intersection(authors)),
        }
        problems += [f"user {uid}: {what}" for what, bad in checks.items() if bad]
    return problems


def _same(a: Feeds, b: Feeds) -> bool:
    pairs = ((a.user_id, b.user_id), (a.indptr, b.indptr), (a.post_id, b.post_id))
    return all(np.array_equal(x, y) for x, y in pairs)


def check_recommender(
    rec: Recommender, posts: PostTable, users: ActiveUsers, now: float, k: int, seed: int = 0
) -> Feeds:
    """Runs ``rec`` twice with generators of the same seed and checks both feeds.

    Rules: one feed per active user (none for anyone else), at most ``k`` posts, only candidate
    posts, no duplicates, no own posts, no muted authors, and the same feeds for the same seed.

    Returns:
        The feeds of the first run.

    Raises:
        ContractViolation: Listing every rule broken.
    """
    first = rec.recommend(posts, users, now, seeded(seed))
    second = rec.recommend(posts, users, now, seeded(seed))
    problems = _problems(first, posts, users, k)
    if not _same(first, second):
        problems.append("not deterministic: the same seed gave different feeds")
    if problems:
        raise ContractViolation("; ".join(problems[:20]))
    return first
