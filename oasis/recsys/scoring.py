"""Per-post scores shared by the recommenders: pure functions over post columns."""

from __future__ import annotations

import numpy as np

from oasis.recsys.tables import ActiveUsers, FloatArray, PostTable

REDDIT_EPOCH_S = 1134028003.0
REDDIT_HOT_SCALE_S = 45000.0


def recency_decay(created_at: FloatArray, now: float, half_life_s: float) -> FloatArray:
    """``0.5 ** (age / half_life)``, recomputed from each post's age at ``now`` (never > 1)."""
    age = np.maximum(now - created_at, 0.0)
    return np.exp2(-age / half_life_s)


def hot_score(posts: PostTable) -> FloatArray:
    """Reddit's hot score: ``sign(s) log10(max(|s|, 1)) + (t - 1134028003) / 45000``.

    ``s`` is likes minus dislikes and ``t`` the post's simulated creation time in seconds.
    """
    s = (posts.likes - posts.dislikes).astype(np.float64)
    order = np.sign(s) * np.log10(np.maximum(np.abs(s), 1.0))
    return order + (posts.created_at - REDDIT_EPOCH_S) / REDDIT_HOT_SCALE_S


def popularity(posts: PostTable) -> FloatArray:
    """Engagement weight of a post for in-network ranking: ``1 + likes + shares``."""
    return 1.0 + (posts.likes + posts.shares).astype(np.float64)


def follower_factor(posts: PostTable, users: ActiveUsers) -> FloatArray:
    """The paper's author-reach factor ``max(1, log_1000(followers + 1))`` per post."""
    if users.author_ids.size == 0:
        return np.ones(len(posts))
    order = np.argsort(users.author_ids, kind="stable")
    known = users.author_ids[order]
    at = np.minimum(np.searchsorted(known, posts.author_id), known.size - 1)
    counts = np.where(known[at] == posts.author_id, users.author_followers[order][at], 0)
    factor: FloatArray = np.maximum(1.0, np.log1p(counts.astype(np.float64)) / np.log(1000.0))
    return factor
