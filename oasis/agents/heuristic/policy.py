"""The heuristic policy: agents without an LLM, decided for a whole batch with array arithmetic.

For each entry of an agent's feed (the original post, however it reached the feed; a quote is
an original of its own, so acting on a quote acts on the quote), with
``sim`` the cosine similarity of the agent's interest vector and the post and ``pop`` its likes
plus shares, and the rates and weights of
:class:`~oasis.agents.heuristic.settings.HeuristicSettings`:

- affinity = clip(affinity_base + sim, 0, affinity_max), boost = 1 + popularity_herding where
  pop >= 1 (else 1), and attention the share of SEISMIC's kernel over the entry's ages in the step
  (the original's, or that of the share that brought it: SEISMIC's kernel runs from each
  reshare's own time) over the reader's chance to view in the step
  (:mod:`oasis.agents.heuristic.attention`), so that a reader's expected attention to a post
  over the steps adds up to 1 and comes when the kernel says;
- like, repost and comment each happen with their rate x affinity x boost x attention, the
  repost rate times the original's own shareability (a log-normal of mean 1 and spread
  ``share_spread`` drawn once per post, the same for every reader); a
  post the seed data says the reader shared (a Twitter15/16 topic's source, for the topic's
  users) is reposted with ``seed_share`` x attention instead;
- dislike happens with its rate x clip(-dislike_slope x sim, 0, 1) x attention;
- after a like, the agent follows the original's author with the ``follow`` rate;
- it votes on each comment shown under the post (up to :data:`SHOWN_COMMENTS`, best first)
  by the social-influence findings of Muchnik, Aral and Taylor, "Social influence bias: a
  randomized experiment", Science 341:647 (2013): before influence a view brings an up-vote
  with chance ``comment_vote`` x q and a down-vote with ``comment_vote`` x (1 - q), where
  q = (1 + tanh(l + w * a)) / 2, l the ``vote_lean`` setting, w the ``agreement_weight``
  setting and a = 1 - |agent stance - comment stance| its agreement with the comment (0 where
  either has no stance). The comment's shown score (its likes minus dislikes) sways the
  agent asymmetrically, as in the study: a positive score multiplies the up-vote chance by
  1 + ``positive_herding``; a negative one multiplies the down-vote chance by
  1 + ``negative_herding`` and the up-vote chance, more, by 1 + ``correction``. Only the
  score's sign counts (the study planted one vote);
- it writes a post about its topic with the ``post`` rate (per feed view);
- it follows each account of its who-to-follow list with the ``follow_suggestion`` rate
  (draws from their own stream, one per list position), unless it follows that account from
  its feed in the same step.

Like, dislike, repost and comment rates are chances over all of a reader's views of an entry,
spread over those views by attention; the rest are chances per view (of the feed, of a
suggestion, of a comment). An agent active in a step views its feed ``views`` times (one,
unless a step is longer than its mean gap between views; see :mod:`oasis.core.clock`), so a
chance p per view becomes 1 - (1 - p) ** views in the step; an entry's attention already
holds the whole time since the previous step with a view, so its views in the step share it.
With activation in views per simulated hour the same experiment gives the same expected
actions per simulated hour at any clock.

Each entry carries the reader's own state (:data:`LIKED`, :data:`REPOSTED`, ... bits): what
the agent already did is not done again, its own posts are not liked, shared or followed, and
an author is followed at most once per step. An agent that does none of these does nothing.
Every draw is ``uniform(seed, HEURISTIC, step, agent id)`` at a counter fixed by the feed
position and the kind of draw, so an agent decides the same whatever batch or shard it is in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from oasis.agents.heuristic.attention import attention
from oasis.agents.heuristic.settings import HeuristicSettings
from oasis.core.actions import Action, ActionType
from oasis.core.rng import Stream, mean_one_lognormal, uniform

# Reader-state bits of a feed entry: what the reader has already done to it.
LIKED, DISLIKED, REPOSTED, AUTHOR_FOLLOWED, OWN, COMMENT_VOTED = (1 << i for i in range(6))

_PER_ENTRY = ("like", "dislike", "repost", "comment", "follow")
SHOWN_COMMENTS = 3
"""The most comments an agent is shown (and may vote on) under each post, as LLM agents are."""
_PER_COMMENT = ("comment_vote", "vote_side")
_DRAWS_PER_ENTRY = len(_PER_ENTRY) + len(_PER_COMMENT) * SHOWN_COMMENTS
_KINDS = {
    "like": ActionType.LIKE_POST,
    "dislike": ActionType.DISLIKE_POST,
    "repost": ActionType.REPOST,
    "comment": ActionType.CREATE_COMMENT,
    "follow": ActionType.FOLLOW,
    "like_comment": ActionType.LIKE_COMMENT,
    "dislike_comment": ActionType.DISLIKE_COMMENT,
}
# What each choice must not repeat (bits of the reader state that rule it out).
_DONE = {
    "like": LIKED | OWN,
    "dislike": DISLIKED | OWN,
    "repost": REPOSTED | OWN,
    "comment": 0,
    "follow": AUTHOR_FOLLOWED | OWN,
    "like_comment": COMMENT_VOTED,
    "dislike_comment": COMMENT_VOTED,
}


@dataclass(frozen=True, slots=True)
class HeuristicBatch:
    """Heuristic agents' feeds as columns: entries ``indptr[i]:indptr[i+1]`` are agent i's.

    ``similarity``, ``popularity``, ``post_ids`` (the entry as shown: the original or a share
    of it), ``author_ids`` (the original's author), the comments shown under the post
    (``comment_ids``, -1 for none, ``comment_scores`` and ``comment_stances``: one column per
    shown comment, best first; a 1-D array is one comment per entry) and ``reader_state`` (bits
    such as :data:`LIKED`; None when unknown) are per feed entry; ``topics`` holds, per agent,
    the words it writes about, ``stances`` its stance (None: no stances) and ``post_stances``
    the posts' authors' stances. ``suggested`` holds the who-to-follow lists as CSR over
    ``suggest_indptr`` (agent i's are ``suggested[suggest_indptr[i]:suggest_indptr[i+1]]``);
    None: no lists. Time, in simulated seconds: ``post_ages`` holds, per entry, the age of the
    entry as shown (the original, or the share that brought it) at the start of the step
    (None: ages unknown, full attention) and ``step_s`` the step's length (needed with ages);
    ``view_chance``, per agent, its chance to view its feed in the step (None: 1 each) and
    ``views`` its feed views in the step when it does (one unless a step is longer than the
    agent's mean gap between views; None: one each), both from activation.
    ``seed_shared`` marks, per entry, an original the seed data says its reader shared (None:
    none): it is shared with the ``seed_share`` chance instead of the repost rate.
    ``root_ids`` holds, per entry, the original's post id (None: unknown, every post as
    shareable; needed with a ``share_spread``).
    """

    agent_ids: np.ndarray
    indptr: np.ndarray
    post_ids: np.ndarray
    author_ids: np.ndarray
    similarity: np.ndarray
    popularity: np.ndarray
    comment_ids: np.ndarray
    comment_scores: np.ndarray
    topics: Sequence[str]
    reader_state: np.ndarray | None = None
    stances: np.ndarray | None = None
    post_stances: np.ndarray | None = None
    comment_stances: np.ndarray | None = None
    suggest_indptr: np.ndarray | None = None
    suggested: np.ndarray | None = None
    post_ages: np.ndarray | None = None
    step_s: float | None = None
    view_chance: np.ndarray | None = None
    views: np.ndarray | None = None
    seed_shared: np.ndarray | None = None
    root_ids: np.ndarray | None = None


def decide_heuristic(
    rates: HeuristicSettings,
    seed: int,
    step: int,
    batch: HeuristicBatch,
    allowed: frozenset[ActionType],
) -> list[list[Action]]:
    """One list of actions per agent of ``batch``, in agent order (never empty)."""
    n = len(batch.agent_ids)
    lengths = np.diff(batch.indptr)
    row = np.repeat(np.arange(n), lengths)
    position = np.arange(len(batch.post_ids)) - batch.indptr[row]
    width = 1 + _DRAWS_PER_ENTRY * int(lengths.max(initial=0))
    draws = uniform(seed, Stream.HEURISTIC, step, batch.agent_ids, width)
    first = 1 + _DRAWS_PER_ENTRY * position
    entry_draw = {kind: draws[row, first + k] for k, kind in enumerate(_PER_ENTRY)}
    chosen = _entry_choices(rates, batch, entry_draw, allowed, seed)
    chosen["follow"] &= _first_per_agent(row, batch.author_ids, chosen["follow"])
    votes = _comment_votes(rates, batch, draws[row[:, None], first[:, None] + _VOTE_COLUMNS])
    chosen |= {kind: mask & (_KINDS[kind] in allowed) for kind, mask in votes.items()}
    decisions: list[list[Action]] = [[] for _ in range(n)]
    for index, action in _entry_actions(chosen, batch, row):
        decisions[index].append(action)
    writes = draws[:, 0] < per_views(rates.post, _agent_views(batch))
    posts = writes if ActionType.CREATE_POST in allowed else np.zeros(n, bool)
    for writer in np.flatnonzero(posts).tolist():
        content = f"{batch.topics[writer]}: my take at step {step}"
        decisions[writer].append(
            Action(int(batch.agent_ids[writer]), ActionType.CREATE_POST, {"content": content})
        )
    if ActionType.FOLLOW in allowed:
        _follow_suggestions(rates.follow_suggestion, seed, step, batch, decisions)
    for i, actions in enumerate(decisions):
        if not actions:
            actions.append(Action(int(batch.agent_ids[i]), ActionType.DO_NOTHING))
    return decisions


def _follow_suggestions(
    rate: float, seed: int, step: int, batch: HeuristicBatch, decisions: list[list[Action]]
) -> None:
    """Adds a follow of each suggested account drawn with ``rate``, if not followed already."""
    if batch.suggested is None or batch.suggest_indptr is None or not len(batch.suggested):
        return
    lengths = np.diff(batch.suggest_indptr)
    row = np.repeat(np.arange(len(batch.agent_ids)), lengths)
    position = np.arange(len(batch.suggested)) - batch.suggest_indptr[row]
    draws = uniform(seed, Stream.SUGGESTION, step, batch.agent_ids, int(lengths.max()))
    chance = per_views(rate, _agent_views(batch)[row])
    for index in np.flatnonzero(draws[row, position] < chance).tolist():
        agent, target = int(batch.agent_ids[row[index]]), int(batch.suggested[index])
        follow = Action(agent, ActionType.FOLLOW, {"followee_id": target})
        if follow not in decisions[row[index]]:
            decisions[row[index]].append(follow)


def _entry_choices(
    rates: HeuristicSettings,
    batch: HeuristicBatch,
    draw: dict[str, np.ndarray],
    allowed: frozenset[ActionType],
    seed: int,
) -> dict[str, np.ndarray]:
    sim = batch.similarity
    affinity = np.clip(rates.affinity_base + sim, 0.0, rates.affinity_max)
    fresh = _attention(rates, batch)
    boost = np.where(batch.popularity >= 1, 1.0 + rates.popularity_herding, 1.0)
    scale = affinity * boost * fresh
    against = rates.dislike * np.clip(-rates.dislike_slope * sim, 0.0, 1.0) * fresh
    chosen = {
        "like": draw["like"] < rates.like * scale,
        "dislike": draw["dislike"] < against,
        "repost": draw["repost"] < _share_chance(rates, batch, scale, fresh, seed),
        "comment": draw["comment"] < rates.comment * scale,
    }
    chosen["follow"] = chosen["like"] & (draw["follow"] < rates.follow)
    state = np.zeros(len(sim), np.int64) if batch.reader_state is None else batch.reader_state
    return {
        kind: mask & (_KINDS[kind] in allowed) & (state & _DONE[kind] == 0)
        for kind, mask in chosen.items()
    }


def _share_chance(
    rates: HeuristicSettings,
    batch: HeuristicBatch,
    scale: np.ndarray,
    fresh: np.ndarray | float,
    seed: int,
) -> np.ndarray:
    """The repost chance in the step, by the seed where it says the reader shared the post.

    There ``seed_share`` x attention; elsewhere the repost rate x ``scale`` (affinity x boost x
    attention) x the original's :func:`shareability`.
    """
    chance = rates.repost * scale
    if rates.share_spread > 0:
        if batch.root_ids is None:
            raise ValueError("share_spread needs the entries' root_ids")
        chance = chance * shareability(seed, batch.root_ids, rates.share_spread)
    if batch.seed_shared is None:
        return chance
    seeded: np.ndarray = np.where(batch.seed_shared, rates.seed_share * fresh, chance)
    return seeded


def shareability(seed: int, root_ids: np.ndarray, spread: float) -> np.ndarray:
    """Each original's multiplier of its repost chance: log-normal, mean 1, log-sd ``spread``.

    Drawn from ``(seed, INFECTIOUSNESS, post id)``, so a post is as shareable for every reader,
    in every step and batch.
    """
    return mean_one_lognormal(seed, Stream.INFECTIOUSNESS, root_ids, spread)


def per_views(chance: np.ndarray | float, views: np.ndarray) -> np.ndarray:
    """The chance that a thing with ``chance`` per view happens in ``views`` views."""
    once = np.clip(chance, 0.0, 1.0)
    result: np.ndarray = np.where(views == 1.0, once, 1.0 - (1.0 - once) ** views)
    return result


def _agent_views(batch: HeuristicBatch) -> np.ndarray:
    """Each agent's feed views in the step (one each where the batch does not say)."""
    return np.ones(len(batch.agent_ids)) if batch.views is None else batch.views


def _attention(rates: HeuristicSettings, batch: HeuristicBatch) -> np.ndarray | float:
    """Each entry's kernel share in the step over its reader's chance to view (1: no ages)."""
    if batch.post_ages is None:
        return 1.0
    if batch.step_s is None:
        raise ValueError("post_ages need the step's length, step_s")
    chance: np.ndarray | float = 1.0
    if batch.view_chance is not None:
        chance = np.repeat(batch.view_chance, np.diff(batch.indptr))
    plateau, theta = rates.attention_plateau_s, rates.attention_theta
    return attention(batch.post_ages, batch.step_s, chance, plateau, theta)


def _first_per_agent(row: np.ndarray, target: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Of the chosen entries, only the first per (agent, target): one follow of an author."""
    picked = np.flatnonzero(mask)
    keys = row[picked].astype(np.int64) * (int(target.max(initial=0)) + 1) + target[picked]
    _, first = np.unique(keys, return_index=True)
    keep = np.zeros(len(mask), bool)
    keep[picked[first]] = True
    return keep


# The draw columns of an entry's shown comments: (vote?, side) for comment k at 5 + 2k, 6 + 2k.
_VOTE_COLUMNS = len(_PER_ENTRY) + np.arange(len(_PER_COMMENT) * SHOWN_COMMENTS)


def _comments(values: np.ndarray, entries: int) -> np.ndarray:
    """Per-comment columns as (entries, SHOWN_COMMENTS), padded with -1 (1-D: one comment)."""
    values = np.asarray(values)
    table = values.reshape(entries, -1 if entries else SHOWN_COMMENTS)[:, :SHOWN_COMMENTS]
    pad = SHOWN_COMMENTS - table.shape[1]
    return np.pad(table, ((0, 0), (0, pad)), constant_values=-1) if pad else table


def _comment_votes(
    rates: HeuristicSettings, batch: HeuristicBatch, draws: np.ndarray
) -> dict[str, np.ndarray]:
    """Votes on every shown comment: (entries, SHOWN_COMMENTS) masks of up and down votes."""
    entries = len(batch.post_ids)
    ids = _comments(batch.comment_ids, entries)
    scores = _comments(batch.comment_scores, entries).astype(np.float64)
    agreement = np.zeros_like(scores)
    if batch.stances is not None and batch.comment_stances is not None:
        mine = np.repeat(batch.stances, np.diff(batch.indptr))[:, None]
        theirs = _comments(batch.comment_stances, entries).astype(np.float64)
        agreement = np.nan_to_num(1.0 - np.abs(mine - theirs))
    fresh = np.ones(entries, bool)
    if batch.reader_state is not None:
        fresh = batch.reader_state & COMMENT_VOTED == 0
    up_rate, down_rate = vote_rates(rates, scores, agreement)
    vote = (draws[:, 0::2] < up_rate + down_rate) & (ids >= 0) & fresh[:, None]
    up = draws[:, 1::2] * (up_rate + down_rate) < up_rate
    return {"like_comment": vote & up, "dislike_comment": vote & ~up}


def vote_rates(
    rates: HeuristicSettings, scores: np.ndarray, agreement: np.ndarray | float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """The chances that one view of a comment brings an up-vote and a down-vote.

    Args:
        rates: The heuristic settings (``comment_vote``, ``vote_lean``, ``agreement_weight``
            and the influence of the shown score: ``positive_herding``, ``negative_herding``,
            ``correction``).
        scores: The comments' shown scores (likes minus dislikes); only their sign counts.
        agreement: The reader's agreement with each comment, in [-1, 1] (0: no stances).

    Returns:
        Up- and down-vote chances, shaped as ``scores``; their sum is at most 1.
    """
    side = (1.0 + np.tanh(rates.vote_lean + rates.agreement_weight * agreement)) / 2.0
    sign = np.sign(scores)
    up_sway = np.where(sign < 0, rates.correction, np.where(sign > 0, rates.positive_herding, 0.0))
    down_sway = np.where(sign < 0, rates.negative_herding, 0.0)
    up = rates.comment_vote * side * (1.0 + up_sway)
    down = rates.comment_vote * (1.0 - side) * (1.0 + down_sway)
    excess = np.maximum(up + down, 1.0)
    return up / excess, down / excess


def _entry_actions(
    chosen: dict[str, np.ndarray], batch: HeuristicBatch, row: np.ndarray
) -> list[tuple[int, Action]]:
    """Every chosen action with its agent's row, entry by entry.

    Within an entry in the order of ``chosen``, comment votes by shown comment. One pass over
    the chosen (entry, kind, comment) triples, ordered by one sort: nothing is done for the
    entries where nobody acted.
    """
    if not len(row):
        return []
    found = []
    for order, mask in enumerate(chosen.values()):
        index, slot = np.nonzero(mask.reshape(len(row), -1))
        found.append(np.stack([index, np.full(index.size, order), slot]))
    triples = np.concatenate(found, axis=1)
    triples = triples[:, np.lexsort(triples[::-1])]
    comments = _comments(batch.comment_ids, len(batch.post_ids))
    kinds, agents, rows = list(chosen), batch.agent_ids[row].tolist(), row.tolist()
    actions = []
    for index, order, slot in triples.T.tolist():
        kind, agent = kinds[order], agents[index]
        if kind.endswith("_comment"):
            action = Action(agent, _KINDS[kind], {"comment_id": int(comments[index, slot])})
        else:
            action = _entry_action(kind, agent, batch, index)
        actions.append((rows[index], action))
    return actions


def _entry_action(kind: str, agent: int, batch: HeuristicBatch, index: int) -> Action:
    if kind == "follow":
        return Action(agent, ActionType.FOLLOW, {"followee_id": int(batch.author_ids[index])})
    post_id = int(batch.post_ids[index])
    if kind == "comment":
        content = f"Interesting, post {post_id} fits what I think."
        return Action(agent, ActionType.CREATE_COMMENT, {"post_id": post_id, "content": content})
    return Action(agent, _KINDS[kind], {"post_id": post_id})
