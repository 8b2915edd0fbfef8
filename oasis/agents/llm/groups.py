"""Several LLMs in one population: groups of agents played by different models and endpoints.

The paper compares aligned and uncensored models in the polarization experiment; here each
entry of the experiment's ``llm_groups`` names a group of agents and the LLM that plays them.
An agent is assigned to the first group that claims it, by id list (``ids``), then by seed group
(``seed_group``, the population's ``group`` column), then by a seeded ``share`` of the agents not
claimed yet; agents no group claims fall back to the experiment's ``llm`` and ``policy`` (or are
heuristic). Usage and failures are counted per group (``llm_groups`` in each step's metrics).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from oasis.agents.llm.settings import LLMSettings
from oasis.core.rng import Stream, uniform
from oasis.core.settings import Section

DEFAULT_GROUP = "default"
"""The name under which the experiment's own ``llm`` section is counted."""


class LLMGroupSettings(Section):
    """One group of agents and the LLM that plays it.

    Attributes:
        name: the group's name in metrics and the summary (not ``default``).
        ids: agent ids in the group.
        seed_group: a population group (e.g. ``conservative``) whose agents are in the group.
        share: a seeded share of the agents no earlier rule claimed (0 to 1).
        llm: the model and endpoints that play the group.
    """

    name: str = Field(min_length=1)
    ids: tuple[int, ...] = ()
    seed_group: str | None = None
    share: float | None = Field(default=None, ge=0.0, le=1.0)
    llm: LLMSettings

    @model_validator(mode="after")
    def _claims_agents(self) -> LLMGroupSettings:
        if not self.ids and self.seed_group is None and self.share is None:
            raise ValueError(f"llm group {self.name!r} needs ids, seed_group or share")
        if self.name == DEFAULT_GROUP:
            raise ValueError(f"{DEFAULT_GROUP!r} names the experiment's own llm section")
        if not self.llm.endpoints:
            raise ValueError(f"llm group {self.name!r} needs llm.endpoints")
        return self


def assign_llm_groups(
    groups: tuple[LLMGroupSettings, ...],
    seed: int,
    agent_ids: np.ndarray,
    seed_groups: np.ndarray | None,
) -> np.ndarray:
    """Each agent's LLM group index into ``groups`` (-1: none claims it).

    Rules apply in order: every group's ids, then every group's seed group, then each group's
    share of the agents still unclaimed (one draw per agent from the ``POPULATION`` stream at
    step 1, so adding agents does not move anyone else).
    """
    assigned = np.full(len(agent_ids), -1, np.int64)
    for index, group in enumerate(groups):
        assigned[(assigned < 0) & np.isin(agent_ids, group.ids)] = index
    for index, group in enumerate(groups):
        if group.seed_group is not None and seed_groups is not None:
            assigned[(assigned < 0) & (seed_groups == group.seed_group)] = index
    draw = uniform(seed, Stream.POPULATION, 1, agent_ids)[:, 0]
    floor = 0.0
    for index, group in enumerate(groups):
        if group.share is not None:
            band = (draw >= floor) & (draw < floor + group.share)
            assigned[(assigned < 0) & band] = index
            floor += group.share
    return assigned
