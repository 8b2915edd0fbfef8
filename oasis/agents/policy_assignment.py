"""Which agents get which policy: pure functions over agent-id arrays.

An experiment names the agents an LLM plays by a seeded share, by id list, or as the
population's ``core`` (the accounts the seed itself marks as its core, else the most-followed
ones). ``oasis plan`` and the run call the same function, so the planner counts exactly the
agents the run will give to an LLM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from oasis.core.rng import Stream, uniform

CORE = "core"
AgentList = tuple[int, ...] | Literal["core"]


def core_agents(
    agent_ids: np.ndarray, follows: np.ndarray, marked: np.ndarray | None, share: float
) -> np.ndarray:
    """The population's core: the ids the seed marks, else the ``share`` most-followed agents.

    Args:
        agent_ids: Every agent's id.
        follows: ``(m, 2)`` ``(follower, followee)`` pairs.
        marked: Core ids as the seed marks them (a synthetic population's real users), or None.
        share: Without a marking, this share of agents (at least one) with the most followers
            is the core; ties go to the lower id.
    """
    if marked is not None:
        return np.sort(np.asarray(marked, np.int64))
    if len(agent_ids) == 0:
        return np.empty(0, np.int64)
    counts = np.bincount(follows[:, 1], minlength=int(agent_ids.max()) + 1)[agent_ids]
    size = max(1, round(share * len(agent_ids)))
    order = np.lexsort((agent_ids, -counts))  # most followers first, then the lower id
    return np.sort(agent_ids[order[:size]])


def select_agents(
    agent_ids: np.ndarray,
    listed: AgentList,
    share: float,
    seed: int,
    core: np.ndarray | None = None,
    draw: int = 0,
) -> np.ndarray:
    """A mask over ``agent_ids``: the ``listed`` agents (ids or ``"core"``) and a seeded ``share``.

    Args:
        agent_ids: Every agent's id.
        listed: An id list, or ``"core"`` for the ``core`` ids.
        share: The chance that any other agent is selected, drawn per agent from the seed.
        seed: The experiment's seed.
        core: The core ids, needed when ``listed`` is ``"core"``.
        draw: Which draw of the population stream the share uses (one per kind of selection,
            so that two shares pick independent agents).
    """
    drawn = uniform(seed, Stream.POPULATION, draw, agent_ids)[:, 0] < share
    chosen: Sequence[int] | np.ndarray
    if isinstance(listed, str):
        if core is None:
            raise ValueError("llm_agents 'core' needs the population's core")
        chosen = core
    else:
        chosen = listed
    return drawn | np.isin(agent_ids, np.asarray(chosen, np.int64))
