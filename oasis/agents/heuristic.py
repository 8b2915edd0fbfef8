"""The heuristic policy: agents without an LLM, decided for a whole batch with array arithmetic.

For each entry of an agent's feed (the original post, however it reached the feed), with
``sim`` the cosine similarity of the agent's interest vector and the post and ``pop`` its likes
plus shares, and the rates and weights of :class:`~oasis.agents.settings.HeuristicSettings`:

- affinity = clip(affinity_base + sim, 0, affinity_max), boost = 1 + popularity_weight x
  log1p(pop);
- like, repost and comment each happen with their rate x affinity x boost;
- dislike happens with its rate x clip(-dislike_slope x sim, 0, 1);
- after a like, the agent follows the original's author with the ``follow`` rate;
- it votes on the post's top comment with the ``comment_vote`` rate, up with probability
  (1 + tanh(score / herd_scale)) / 2 for the comment's current score: agents lean the way
  earlier voters went, which is the herd behaviour OASIS's Reddit study looks for;
- once per step the agent writes a post about its topic with the ``post`` rate.

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

from oasis.agents.settings import HeuristicSettings
from oasis.core.actions import Action, ActionType
from oasis.core.rng import Stream, uniform

# Reader-state bits of a feed entry: what the reader has already done to it.
LIKED, DISLIKED, REPOSTED, AUTHOR_FOLLOWED, OWN, COMMENT_VOTED = (1 << i for i in range(6))

_PER_ENTRY = ("like", "dislike", "repost", "comment", "follow", "comment_vote", "vote_side")
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
    of it), ``author_ids`` (the original's author), the post's top comment (``comment_ids``, -1
    for none, and ``comment_scores``) and ``reader_state`` (bits such as :data:`LIKED`; None
    when unknown) are per feed entry; ``topics`` holds, per agent, the words it writes about.
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
    width = 1 + len(_PER_ENTRY) * int(lengths.max(initial=0))
    draws = uniform(seed, Stream.HEURISTIC, step, batch.agent_ids, width)
    entry_draw = {
        kind: draws[row, 1 + len(_PER_ENTRY) * position + k] for k, kind in enumerate(_PER_ENTRY)
    }
    chosen = _entry_choices(rates, batch, entry_draw, allowed)
    chosen["follow"] &= _first_per_agent(row, batch.author_ids, chosen["follow"])
    decisions: list[list[Action]] = [[] for _ in range(n)]
    for index in np.flatnonzero(np.any(np.stack(list(chosen.values())), axis=0)):
        agent = int(batch.agent_ids[row[index]])
        for kind, mask in chosen.items():
            if mask[index]:
                decisions[row[index]].append(_entry_action(kind, agent, batch, int(index)))
    posts = draws[:, 0] < rates.post if ActionType.CREATE_POST in allowed else np.zeros(n, bool)
    for writer in np.flatnonzero(posts).tolist():
        content = f"{batch.topics[writer]}: my take at step {step}"
        decisions[writer].append(
            Action(int(batch.agent_ids[writer]), ActionType.CREATE_POST, {"content": content})
        )
    for i, actions in enumerate(decisions):
        if not actions:
            actions.append(Action(int(batch.agent_ids[i]), ActionType.DO_NOTHING))
    return decisions


def _entry_choices(
    rates: HeuristicSettings,
    batch: HeuristicBatch,
    draw: dict[str, np.ndarray],
    allowed: frozenset[ActionType],
) -> dict[str, np.ndarray]:
    sim = batch.similarity
    affinity = np.clip(rates.affinity_base + sim, 0.0, rates.affinity_max)
    scale = affinity * (1.0 + rates.popularity_weight * np.log1p(batch.popularity))
    chosen = {
        "like": draw["like"] < rates.like * scale,
        "dislike": draw["dislike"] < rates.dislike * np.clip(-rates.dislike_slope * sim, 0.0, 1.0),
        "repost": draw["repost"] < rates.repost * scale,
        "comment": draw["comment"] < rates.comment * scale,
    }
    chosen["follow"] = chosen["like"] & (draw["follow"] < rates.follow)
    votes = (draw["comment_vote"] < rates.comment_vote) & (batch.comment_ids >= 0)
    up = draw["vote_side"] < (1.0 + np.tanh(batch.comment_scores / rates.herd_scale)) / 2.0
    chosen["like_comment"], chosen["dislike_comment"] = votes & up, votes & ~up
    state = np.zeros(len(sim), np.int64) if batch.reader_state is None else batch.reader_state
    return {
        kind: mask & (_KINDS[kind] in allowed) & (state & _DONE[kind] == 0)
        for kind, mask in chosen.items()
    }


def _first_per_agent(row: np.ndarray, target: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Of the chosen entries, only the first per (agent, target): one follow of an author."""
    picked = np.flatnonzero(mask)
    keys = row[picked].astype(np.int64) * (int(target.max(initial=0)) + 1) + target[picked]
    _, first = np.unique(keys, return_index=True)
    keep = np.zeros(len(mask), bool)
    keep[picked[first]] = True
    return keep


def _entry_action(kind: str, agent: int, batch: HeuristicBatch, index: int) -> Action:
    if kind == "follow":
        return Action(agent, ActionType.FOLLOW, {"followee_id": int(batch.author_ids[index])})
    if kind.endswith("_comment"):
        return Action(agent, _KINDS[kind], {"comment_id": int(batch.comment_ids[index])})
    post_id = int(batch.post_ids[index])
    if kind == "comment":
        content = f"Interesting, post {post_id} fits what I think."
        return Action(agent, ActionType.CREATE_COMMENT, {"post_id": post_id, "content": content})
    return Action(agent, _KINDS[kind], {"post_id": post_id})
