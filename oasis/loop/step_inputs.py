"""What a step's decisions need, read in bulk from the committed state: feeds and observations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from oasis.agents.heuristic import HeuristicBatch
from oasis.agents.memory import AgentMemory
from oasis.agents.observe import build_observation, post_view
from oasis.agents.policy import AgentContext
from oasis.agents.profile import Profile
from oasis.core.arrays import distinct
from oasis.platform.reader import Reader
from oasis.recsys import ActiveUsers, PostTable, RecsysState


def candidate_posts(reader: Reader, since_step: int) -> tuple[PostTable, np.ndarray]:
    """Posts created since ``since_step`` (what feeds are drawn from), and each one's root."""
    posts = reader.post_table(since_step=since_step)
    table = PostTable(
        post_id=posts["post_id"],
        author_id=posts["user_id"],
        created_at=posts["created_at"],
        likes=posts["num_likes"],
        dislikes=posts["num_dislikes"],
        shares=posts["num_shares"],
    )
    return table, posts["root_id"]


def active_users(reader: Reader, user_ids: np.ndarray, posts: PostTable) -> ActiveUsers:
    """The active users' follow and mute lists, and the candidate authors' follower counts."""
    ids = user_ids.tolist()
    followee_indptr, followees = reader.followees(ids)
    muted_indptr, muted = reader.mutes(ids)
    authors = distinct(posts.author_id)
    followers = reader.user_counts(authors.tolist())["followers"]
    return ActiveUsers(
        user_id=user_ids,
        followee_indptr=followee_indptr,
        followee_indices=followees,
        muted_indptr=muted_indptr,
        muted_indices=muted,
        author_ids=authors,
        author_followers=followers,
    )


FeedsByUser = Mapping[int, np.ndarray]


def feed_rows(by_user: FeedsByUser, user_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR (indptr, post ids) of the feeds of ``user_ids``, in that order."""
    rows = [by_user.get(int(u), np.empty(0, np.int64)) for u in user_ids]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    post_ids = np.concatenate(rows).astype(np.int64) if rows else np.empty(0, np.int64)
    return indptr, post_ids


def heuristic_batch(
    reader: Reader,
    by_user: FeedsByUser,
    user_ids: np.ndarray,
    candidates: tuple[PostTable, np.ndarray],
    state: RecsysState,
    topics: Sequence[str],
) -> HeuristicBatch:
    """Columns for the heuristic policy: each feed entry's similarity, popularity, top comment."""
    posts, roots = candidates
    indptr, post_ids = feed_rows(by_user, user_ids)
    position = {int(p): i for i, p in enumerate(posts.post_id)}
    rows = np.array([position[int(p)] for p in post_ids], np.int64)
    entry_roots = roots[rows] if len(rows) else np.empty(0, np.int64)
    top = reader.top_comments(distinct(entry_roots).tolist())
    best = [top.get(int(r), (-1, 0)) for r in entry_roots]
    owners = np.repeat(user_ids, np.diff(indptr))
    interests = state.interests.vectors(owners) if len(owners) else np.empty((0, 1))
    vectors = state.posts.vectors(post_ids) if len(post_ids) else np.empty((0, 1))
    return HeuristicBatch(
        agent_ids=user_ids,
        indptr=indptr,
        post_ids=post_ids,
        author_ids=posts.author_id[rows] if len(rows) else np.empty(0, np.int64),
        similarity=np.einsum("ij,ij->i", interests, vectors).astype(np.float64),
        popularity=(posts.likes[rows] + posts.shares[rows]) if len(rows) else np.empty(0),
        comment_ids=np.array([c for c, _ in best], np.int64),
        comment_scores=np.array([s for _, s in best], np.float64),
        topics=topics,
    )


def llm_contexts(
    reader: Reader,
    by_user: FeedsByUser,
    user_ids: np.ndarray,
    step: int,
    time_label: str,
    profiles: Mapping[int, Profile],
    memories: Mapping[int, AgentMemory],
    report_threshold: int,
) -> list[AgentContext]:
    """Full observations for the LLM agents, from a handful of bulk reads."""
    ids = user_ids.tolist()
    wanted = {int(p) for u in ids for p in by_user.get(u, ())}
    posts = reader.posts(sorted(wanted))
    roots = reader.posts(sorted({p["original_post_id"] for p in posts.values()} - {None}))
    counts = reader.user_counts(ids)
    notes = reader.notifications(ids, since_step=step - 1)
    messages = reader.group_messages(ids, since_step=step - 1)
    # One view per post, shared by every feed it appears in (views are immutable).
    views = {
        pid: post_view(post, _root(post, roots), report_threshold) for pid, post in posts.items()
    }
    contexts = []
    for i, user in enumerate(ids):
        feed = [views[p] for p in map(int, by_user.get(user, ())) if p in views]
        follow = (int(counts["followers"][i]), int(counts["followings"][i]))
        observation = build_observation(
            user, step, time_label, feed, follow, notes[user], messages[user]
        )
        contexts.append(
            AgentContext(profiles[user], memories.get(user, AgentMemory()), observation)
        )
    return contexts


def _root(
    post: Mapping[str, Any], roots: Mapping[int, Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    original = post["original_post_id"]
    return None if original is None else roots.get(original)
