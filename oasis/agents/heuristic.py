"""The heuristic policy: agents without an LLM, decided for a whole batch with array arithmetic.

For each post in an agent's feed, with ``sim`` the cosine similarity of the agent's interest
vector and the post, and ``pop`` its likes plus shares:

- affinity = clip(0.5 + sim, 0, 1.5) and boost = 1 + 0.1 * log1p(pop);
- like, repost and comment each happen with their base rate x affinity x boost;
- dislike happens with its base rate x clip(-2 sim, 0, 1) (only posts the agent is far from);
- after a like, the agent follows the post's author with the ``follow`` rate;
- it votes on the post's top comment with the ``comment_vote`` rate, up with probability
  (1 + tanh(score / 2)) / 2 for the comment's current score: agents lean the way earlier
  voters went, which is the herd behaviour OASIS's Reddit study looks for;
- once per step the agent writes a post about its topic with the ``post`` rate.

An agent that does none of these does nothing. Every draw is ``uniform(seed, HEURISTIC, step,
agent id)`` at a counter fixed by the feed position and the kind of draw, so an agent decides the
same whatever batch or shard it is in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from oasis.agents.settings import HeuristicSettings
from oasis.core.actions import Action, ActionType
from oasis.core.rng import Stream, uniform

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


@dataclass(frozen=True, slots=True)
class HeuristicBatch:
    """Heuristic agents' feeds as columns: entries ``indptr[i]:indptr[i+1]`` are agent i's.

    ``similarity``, ``popularity``, ``post_ids``, ``author_ids`` and the post's top comment
    (``comment_ids``, -1 for none, and ``comment_scores``) are per feed entry; ``topics``
    holds, per agent, the words it writes about.
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
    scale = np.clip(0.5 + sim, 0.0, 1.5) * (1.0 + 0.1 * np.log1p(batch.popularity))
    chosen = {
        "like": draw["like"] < rates.like * scale,
        "dislike": draw["dislike"] < rates.dislike * np.clip(-2.0 * sim, 0.0, 1.0),
        "repost": draw["repost"] < rates.repost * scale,
        "comment": draw["comment"] < rates.comment * scale,
    }
    chosen["follow"] = chosen["like"] & (draw["follow"] < rates.follow)
    votes = (draw["comment_vote"] < rates.comment_vote) & (batch.comment_ids >= 0)
    up = draw["vote_side"] < (1.0 + np.tanh(batch.comment_scores / 2.0)) / 2.0
    chosen["like_comment"], chosen["dislike_comment"] = votes & up, votes & ~up
    return {kind: mask & (_KINDS[kind] in allowed) for kind, mask in chosen.items()}


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
