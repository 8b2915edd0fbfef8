"""What a step's decisions need, read in bulk from the committed state: feeds and observations."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from oasis.agents.heuristic.policy import (
    AUTHOR_FOLLOWED,
    COMMENT_VOTED,
    DISLIKED,
    LIKED,
    OWN,
    REPOSTED,
    HeuristicBatch,
)
from oasis.agents.memory import AgentMemory
from oasis.agents.observation import PostView, UserSuggestion
from oasis.agents.observation_builder import (
    READ_ACTIONS,
    build_observation,
    post_view,
    suggestion_reason,
)
from oasis.agents.policy import AgentContext
from oasis.agents.profile import Profile
from oasis.core.actions import ActionType
from oasis.core.arrays import distinct
from oasis.loop.seed_shares import SeedShares
from oasis.loop.step_state import StepState
from oasis.platform.entry_state import FLAGS
from oasis.platform.reader import Reader
from oasis.recsys import (
    ActiveUsers,
    Feeds,
    FollowGraph,
    PostTable,
    RecsysState,
    Suggestions,
    WhoToFollowSettings,
    sample_followees,
    who_to_follow,
)
from oasis.recsys.who_to_follow import FRIENDS, INTEREST


def active_users(
    reader: Reader, past: StepState, user_ids: np.ndarray, posts: PostTable
) -> ActiveUsers:
    """The active users' follow and mute lists, and the candidate authors' follower counts."""
    followee_indptr, followees = past.follows.rows(user_ids)
    muted_indptr, muted = reader.mutes(user_ids.tolist())
    authors = distinct(posts.author_id)
    followers = past.follower_counts(authors)
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


def follow_suggestions(
    past: StepState,
    users: ActiveUsers,
    state: RecsysState,
    settings: WhoToFollowSettings,
    rng: np.random.Generator,
) -> Suggestions:
    """Each active user's who-to-follow list: a first-hop sample, their lists, the ranking."""
    if not settings.k:
        return Suggestions.empty(users.user_id)
    sampled = sample_followees(users, settings.fanout, rng)
    hops = distinct(sampled[sampled >= 0])
    graph = FollowGraph(hops, *past.follows.rows(hops), past.user_ids, past.followers)
    return who_to_follow(users, sampled, graph, state.interests, settings, rng)


SuggestedByUser = Mapping[int, tuple[UserSuggestion, ...]]


def suggestion_views(reader: Reader, found: Suggestions, rows: np.ndarray) -> SuggestedByUser:
    """The lists of the users at ``rows`` of ``found`` as records, with the accounts' names."""
    parts = [found.row(int(i)) for i in rows]
    wanted = {int(u) for part in parts for u in found.suggested[part]}
    names = reader.profiles(sorted(wanted))
    kinds = {FRIENDS: "friends", INTEREST: "interest"}
    return {
        int(found.user_id[i]): tuple(
            UserSuggestion(
                u, names[u]["user_name"], f, suggestion_reason(m, kinds.get(r, "popular"))
            )
            for u, f, m, r in zip(
                *(c[part].tolist() for c in (found.suggested, found.followers, found.mutual)),
                found.reason[part].tolist(),
                strict=True,
            )
        )
        for i, part in zip(rows.tolist(), parts, strict=True)
    }


def one_per_original(feeds: Feeds, posts: PostTable, roots: np.ndarray) -> Feeds:
    """Each user's feed with one entry per original post, the best-ranked one kept.

    A timeline shows a post once, however many followees shared it; the entry kept (the
    original or a share of it) is what the reader acts on, so the platform can tell through
    whom they met it.
    """
    post_ids = feeds.post_id
    if not len(post_ids):
        return feeds
    order = np.argsort(posts.post_id)
    entry_roots = roots[order[np.searchsorted(posts.post_id, post_ids, sorter=order)]]
    row = np.repeat(np.arange(len(feeds)), np.diff(feeds.indptr))
    keys = (row.astype(np.int64) << 32) | entry_roots.astype(np.int64)
    _, first = np.unique(keys, return_index=True)
    keep = np.zeros(len(post_ids), bool)
    keep[first] = True
    counts = np.bincount(row[keep], minlength=len(feeds))
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Feeds(feeds.user_id, indptr, post_ids[keep])


def feeds_of(feeds: Feeds, user_ids: np.ndarray) -> dict[int, np.ndarray]:
    """The feeds of ``user_ids`` by user (for the few agents that get full observations)."""
    indptr, post_ids = feeds.select(user_ids)
    return {user: post_ids[indptr[i] : indptr[i + 1]] for i, user in enumerate(user_ids.tolist())}


def feed_rows(by_user: FeedsByUser, user_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR (indptr, post ids) of the feeds of ``user_ids``, in that order."""
    rows = [by_user.get(int(u), np.empty(0, np.int64)) for u in user_ids]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    post_ids = np.concatenate(rows).astype(np.int64) if rows else np.empty(0, np.int64)
    return indptr, post_ids


def heuristic_batch(
    reader: Reader,
    past: StepState,
    feeds: Feeds,
    user_ids: np.ndarray,
    candidates: tuple[PostTable, np.ndarray],
    state: RecsysState,
    topics: Sequence[str],
    stances: np.ndarray | None = None,
    wanted: Collection[str] | None = None,
    suggested: tuple[np.ndarray, np.ndarray] | None = None,
    time: StepTime | None = None,
    seeded: SeedShares | None = None,
) -> HeuristicBatch:
    """The :class:`HeuristicBatch` of ``user_ids``, in order (with ``time``: ages and views)."""
    indptr, post_ids = feeds.select(user_ids)
    entry_rows = _candidate_rows(candidates[0], post_ids)
    entry_roots = candidates[1][entry_rows] if len(entry_rows) else np.empty(0, np.int64)
    authors, popularity = _originals(reader, entry_roots)
    comment_ids, scores = shown_comments(past, entry_roots)
    owners = np.repeat(user_ids, np.diff(indptr))
    return HeuristicBatch(
        agent_ids=user_ids,
        indptr=indptr,
        post_ids=post_ids,
        author_ids=authors,
        similarity=_similarity(state, user_ids, indptr, post_ids),
        popularity=popularity,
        comment_ids=comment_ids,
        comment_scores=scores,
        topics=topics,
        reader_state=_reader_state(past, owners, entry_roots, authors, comment_ids, wanted),
        stances=stances,
        post_stances=None if stances is None else reader.post_stances(post_ids.tolist()),
        comment_stances=None if stances is None else comment_stances(reader, comment_ids),
        **_suggestion_columns(suggested),
        **_time_columns(time, candidates[0], entry_rows),
        seed_shared=None if seeded is None else seeded.flags(candidates[0], owners, entry_roots),
        root_ids=entry_roots,
    )


def _suggestion_columns(suggested: tuple[np.ndarray, np.ndarray] | None) -> dict[str, Any]:
    """The batch's who-to-follow lists (CSR ``suggest_indptr``, ``suggested``; None: none)."""
    indptr, users = (None, None) if suggested is None else suggested
    return {"suggest_indptr": indptr, "suggested": users}


def _candidate_rows(posts: PostTable, post_ids: np.ndarray) -> np.ndarray:
    """The row of each feed entry (``post_ids``, all candidates) in the candidate table."""
    order = np.argsort(posts.post_id, kind="stable")
    if not len(order):
        return np.empty(0, np.int64)
    rows: np.ndarray = order[np.searchsorted(posts.post_id, post_ids, sorter=order)]
    return rows


def _time_columns(time: StepTime | None, posts: PostTable, rows: np.ndarray) -> dict[str, Any]:
    """The batch's time columns: the entries' ages, the step's length, the agents' views."""
    if time is None:
        return {}
    ages = entry_ages(posts, rows, time.now)
    return {
        "post_ages": ages,
        "step_s": time.step_s,
        "view_chance": time.view_chance,
        "views": time.views,
    }


def entry_ages(posts: PostTable, rows: np.ndarray, now: float) -> np.ndarray:
    """The age at ``now`` of each feed entry (candidate ``rows``), as the post reached the reader.

    That is the age of the entry itself: the original, or the share through which it came, not
    the original's. SEISMIC's self-exciting intensity (Zhao, Erdogdu, He, Rajaraman & Leskovec,
    KDD 2015) sums the memory kernel over the original and every reshare, each from its own
    time, so a follower meets a fresh share of an old post with fresh attention.
    """
    ages: np.ndarray = now - posts.created_at[rows]
    return ages


@dataclass(frozen=True, slots=True)
class StepTime:
    """The step's simulated time for the heuristic batch.

    Attributes:
        now: the step's start, simulated POSIX seconds (posts' ``created_at`` is on that scale).
        step_s: the step's length, simulated seconds.
        view_chance: each agent's chance to view its feed in the step, aligned with the batch's
            agents.
        views: each agent's feed views in the step when it views, aligned likewise.
    """

    now: float
    step_s: float
    view_chance: np.ndarray
    views: np.ndarray


def _similarity(
    state: RecsysState, user_ids: np.ndarray, indptr: np.ndarray, post_ids: np.ndarray
) -> np.ndarray:
    """Cosine of each entry's reader's interest and its post (feeds ``indptr`` by reader).

    Each reader's interest vector is made once and copied to its entries.
    """
    if not len(post_ids):
        return np.zeros(0)
    owner_rows = np.repeat(np.arange(len(user_ids)), np.diff(indptr))
    interests = state.interests.vectors(user_ids)[owner_rows]
    vectors = state.posts.vectors(post_ids)
    similarity: np.ndarray = np.einsum("ij,ij->i", interests, vectors).astype(np.float64)
    return similarity


def _reader_state(
    past: StepState,
    owners: np.ndarray,
    roots: np.ndarray,
    authors: np.ndarray,
    comment_ids: np.ndarray,
    wanted: Collection[str] | None,
) -> np.ndarray:
    """Reader-state bits of each entry (its top comment is the first of ``comment_ids``).

    All from the step state in memory: the follow graph and the readers' book.
    """
    wanted = set(wanted or FLAGS)
    done = past.book.flags(owners, roots, comment_ids[:, 0], wanted)
    done["followed"] = np.zeros(len(owners), bool)
    if "followed" in wanted:
        done["followed"] = past.follows.contains(owners, authors)
    return state_bits(done, owners == authors)


def _originals(reader: Reader, roots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The author and the likes plus shares of each entry's original."""
    unique = distinct(roots)
    original = reader.originals(unique.tolist())
    at = np.searchsorted(unique, roots)
    engaged = original["likes"] + original["shares"]
    return original["user_id"][at], engaged[at]


def wanted_flags(allowed: Collection[ActionType]) -> tuple[str, ...]:
    """The reader-state flags worth reading when agents may take only ``allowed`` actions."""
    return tuple(flag for flag, kinds in _FLAG_ACTIONS.items() if set(kinds) & set(allowed))


_FLAG_ACTIONS = {
    "liked": (ActionType.LIKE_POST,),
    "disliked": (ActionType.DISLIKE_POST,),
    "reposted": (ActionType.REPOST,),
    "followed": (ActionType.FOLLOW,),
    "comment_voted": (ActionType.LIKE_COMMENT, ActionType.DISLIKE_COMMENT),
}


def state_bits(done: Mapping[str, np.ndarray], own: np.ndarray) -> np.ndarray:
    """The heuristic's reader-state bits from the platform's per-entry flags."""
    bits = np.where(own, OWN, 0)
    for name, bit in _STATE_BITS.items():
        bits |= np.where(done[name], bit, 0)
    return bits.astype(np.int64)


_STATE_BITS = {
    "liked": LIKED,
    "disliked": DISLIKED,
    "reposted": REPOSTED,
    "followed": AUTHOR_FOLLOWED,
    "comment_voted": COMMENT_VOTED,
}


def shown_comments(past: StepState, entry_roots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ids (-1: none) and scores of the comments shown under each feed entry.

    Each is an (entries, ``SHOWN_COMMENTS``) array, best comment first, as LLM agents see them;
    from the step state's comment book, not from the database.
    """
    ids, scores = past.comments.shown(entry_roots)
    return ids, scores.astype(np.float64)


def comment_stances(reader: Reader, comment_ids: np.ndarray) -> np.ndarray:
    """Each shown comment's author's stance when writing it (NaN: none or no comment)."""
    stances = np.full(comment_ids.shape, np.nan)
    shown = comment_ids >= 0
    unique = distinct(comment_ids[shown])
    if unique.size:
        found = reader.comment_stances(unique.tolist())
        stances[shown] = found[np.searchsorted(unique, comment_ids[shown])]
    return stances


def llm_contexts(
    reader: Reader,
    by_user: FeedsByUser,
    user_ids: np.ndarray,
    step: int,
    time_label: str,
    profiles: Mapping[int, Profile],
    memories: Mapping[int, AgentMemory],
    report_threshold: int,
    suggested: SuggestedByUser | None = None,
) -> list[AgentContext]:
    """Full observations for the LLM agents (and their who-to-follow lists), from bulk reads."""
    ids = user_ids.tolist()
    wanted = {int(p) for u in ids for p in by_user.get(u, ())}
    posts = reader.posts(sorted(wanted))
    # What the reposts share and the quotes quote: shown with them.
    shared = reader.posts(sorted({p["original_post_id"] for p in posts.values()} - {None}))
    counts = reader.user_counts(ids)
    notes = reader.notifications(ids, since_step=step - 1)
    messages = reader.group_messages(ids, since_step=step - 1)
    reads = reader.read_results(ids, step - 1, READ_ACTIONS)
    # One view per post, shared by every feed it appears in (views are immutable).
    views = {
        pid: post_view(post, _shared(post, shared), report_threshold) for pid, post in posts.items()
    }
    done = _reader_flags(reader, by_user, ids, views)
    variants: dict[tuple[int, tuple[bool, bool, bool]], PostView] = {}  # (post, flags) -> view
    contexts = []
    for i, user in enumerate(ids):
        feed = _feed(user, by_user, views, done, variants)
        follow = (int(counts["followers"][i]), int(counts["followings"][i]))
        observation = build_observation(
            user, step, time_label, feed, follow, notes[user], messages[user], reads.get(user, ()),
            (suggested or {}).get(user, ()),
        )  # fmt: skip
        contexts.append(
            AgentContext(profiles[user], memories.get(user, AgentMemory()), observation)
        )
    return contexts


def _feed(
    user: int,
    by_user: FeedsByUser,
    views: Mapping[int, PostView],
    done: Mapping[tuple[int, int], tuple[bool, bool, bool]],
    variants: dict[tuple[int, tuple[bool, bool, bool]], PostView],
) -> list[PostView]:
    """The user's feed as views, each with the user's own state (liked, reposted, followed).

    Views with a given state are built once per step and shared (``variants``).
    """
    feed = []
    for p in map(int, by_user.get(user, ())):
        if p in views:
            flags = done.get((user, p))
            if flags is None:
                feed.append(views[p])
                continue
            if (p, flags) not in variants:
                liked, reposted, followed = flags
                variants[(p, flags)] = replace(
                    views[p], liked=liked, reposted=reposted, author_followed=followed
                )
            feed.append(variants[(p, flags)])
    return feed


def _reader_flags(
    reader: Reader, by_user: FeedsByUser, ids: Sequence[int], views: Mapping[int, PostView]
) -> dict[tuple[int, int], tuple[bool, bool, bool]]:
    """The reader's own state of each (reader, entry) pair that has any, for the prompt."""
    indptr, post_ids = feed_rows(by_user, np.asarray(ids, np.int64))
    if not views or not len(post_ids):
        return {}
    known = np.array(sorted(views), np.int64)
    at = np.minimum(np.searchsorted(known, post_ids), len(known) - 1)
    keep = known[at] == post_ids
    readers = np.repeat(np.asarray(ids, np.int64), np.diff(indptr))[keep]
    at = at[keep]
    shown = [views[int(p)] for p in known]
    originals = np.array([v.target_post_id for v in shown], np.int64)[at]
    authors = np.array([v.target_author_id for v in shown], np.int64)[at]
    none = np.full(len(at), -1, np.int64)
    state = reader.entry_state(readers, originals, authors, none, ("liked", "reposted", "followed"))
    flags = np.column_stack([state["liked"], state["reposted"], state["followed"]])
    rows = np.flatnonzero(flags.any(axis=1))
    return {
        (int(readers[j]), int(known[at[j]])): (bool(a), bool(b), bool(c))
        for j, (a, b, c) in zip(rows.tolist(), flags[rows].tolist(), strict=True)
    }


def _shared(
    post: Mapping[str, Any], shared: Mapping[int, Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    original = post["original_post_id"]
    return None if original is None else shared.get(original)
