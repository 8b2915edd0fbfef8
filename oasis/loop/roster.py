"""The roster: every agent of a run as columns, who plays each, and the agents who join later.

Agent ids, who an LLM plays and hourly activity are arrays over all agents; profile text is read
only for the agents a step needs (the active ones), so idle agents cost no records. Agents who
sign up during the run are kept in a small table of their own, so a join never copies the
population's table. :func:`cast_agents` decides who plays whom: LLM groups, the LLM's share
(:func:`llm_mask`), custom policies (:func:`custom_policies`), the heuristic for the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from oasis.agents.llm.groups import assign_llm_groups
from oasis.agents.policy_assignment import CORE, core_agents, select_agents
from oasis.agents.profile import Profile
from oasis.agents.settings import CustomPolicySpec
from oasis.config import ExperimentConfig
from oasis.core.clock import hourly_probabilities, rate_multipliers
from oasis.datasets.population import Population
from oasis.errors import RunError
from oasis.recsys.embedding import JoinedTexts


class Roster:
    """The agents of a run.

    Args:
        users: the population's users (``user_id``, ``user_name``, ``name``, ``bio``,
            ``persona``, ``interests``), one row per agent.
        is_llm: which of them an LLM plays, aligned with ``users``.
        hourly: ``(n, 24)`` activation probability per agent and hour, or None (uniform).
        multiplier: each agent's own multiplier of its rate (``activation.rate_spread``), or
            None (all 1); agents who join later keep the typical rate.
    """

    def __init__(
        self,
        users: pd.DataFrame,
        is_llm: np.ndarray,
        hourly: np.ndarray | None,
        multiplier: np.ndarray | None = None,
    ) -> None:
        self.agent_ids: np.ndarray = users["user_id"].to_numpy(np.int64)
        self.is_llm = is_llm
        self._users = users.set_index("user_id", drop=False)
        self._typical = None if hourly is None else hourly.mean(axis=0)
        self._hourly = (
            hourly
            if hourly is None or multiplier is None
            else hourly * multiplier[:, None].astype(hourly.dtype)
        )
        self._multiplier = multiplier
        self._joined = self._users.iloc[:0]

    @property
    def users(self) -> pd.DataFrame:
        """The population's users, indexed by ``user_id`` (agents who joined are not in it)."""
        return self._users

    @property
    def llm_ids(self) -> np.ndarray:
        """The agents an LLM plays."""
        ids: np.ndarray = self.agent_ids[self.is_llm]
        return ids

    def next_free_id(self) -> int:
        """The id the next agent to join gets."""
        return int(self.agent_ids.max(initial=-1)) + 1

    def probability(self, hour: int, uniform: float) -> np.ndarray | float:
        """Each agent's views per hour at ``hour``: its hourly profile, else ``uniform``.

        Either times the agent's own multiplier, where the run spreads the rates.
        """
        if self._hourly is None or self._typical is None:
            if self._multiplier is None:
                return uniform
            joined = np.full(len(self._joined), uniform)
            return np.concatenate([uniform * self._multiplier, joined])
        if self._joined.empty:
            column: np.ndarray = self._hourly[:, hour]
            return column
        joined = np.full(len(self._joined), self._typical[hour], self._hourly.dtype)
        return np.concatenate([self._hourly[:, hour], joined])

    def profiles(self, ids: np.ndarray) -> dict[int, Profile]:
        """The profiles of ``ids``, for their prompts."""
        return {
            int(r.user_id): Profile(
                int(r.user_id), str(r.user_name), str(r.name), str(r.bio), str(r.persona),
                tuple(map(str, r.interests if r.interests is not None else ())),
                _group_of(r),
            )
            for r in self._rows(ids).itertuples()
        }  # fmt: skip

    def topics(self, ids: np.ndarray) -> list[str]:
        """What each of ``ids`` writes about: its interests, else the start of its bio.

        Worked out for the step's active agents only, so idle agents cost no memory for it.
        """
        users = self._rows(ids)
        return [
            ", ".join(map(str, interests))
            if interests is not None and len(interests)
            else str(bio)[:60]
            for interests, bio in zip(users["interests"], users["bio"], strict=True)
        ]

    def texts(self) -> JoinedTexts:
        """The profile text to embed of every agent, in roster order (see :func:`profile_text`).

        Each text is the agent's name, then its bio and persona: copies of a few seed users'
        (a synthetic population's) share one tail, embedded once.
        """
        users = self._users
        bios, bio_of = _factorized(users["bio"])
        personas, persona_of = _factorized(users["persona"])
        pairs, tail_of = np.unique(bio_of * len(personas) + persona_of, return_inverse=True)
        width = len(personas)
        tails = [f"{bios[p // width]} {personas[p % width]}" for p in pairs.tolist()]
        heads = [_text(name) for name in users["name"].tolist()]
        return JoinedTexts(heads, tails, tail_of.astype(np.int64))

    def join(self, profiles: Mapping[int, Mapping[str, Any]]) -> None:
        """Agents who signed up during the run join as heuristic agents."""
        new = pd.DataFrame(
            [{"user_id": u, **p, "interests": []} for u, p in sorted(profiles.items())]
        ).set_index("user_id", drop=False)
        self._joined = new if self._joined.empty else pd.concat([self._joined, new])
        self.agent_ids = np.concatenate([self.agent_ids, new["user_id"].to_numpy(np.int64)])
        self.is_llm = np.concatenate([self.is_llm, np.zeros(len(new), bool)])

    def _rows(self, ids: np.ndarray) -> pd.DataFrame:
        """The users' rows of ``ids``, in that order."""
        joined = np.isin(ids, self._joined.index.to_numpy())
        if not joined.any():
            return self._users.loc[ids]
        both = pd.concat([self._users.loc[ids[~joined]], self._joined.loc[ids[joined]]])
        return both.loc[ids]


PROFILE_KEYS = ("name", "bio", "persona")


def _group_of(row: Any) -> str:
    """The LLM group of a user row ("" where none: the experiment's own LLM, or joined)."""
    group = getattr(row, "llm_group", "")
    return group if isinstance(group, str) else ""


def profile_text(name: object, bio: object, persona: object) -> str:
    """The profile text that is embedded: name, bio and persona."""
    return " ".join(_text(part) for part in (name, bio, persona)).strip()


def _text(part: object) -> str:
    return str(part or "")


def _factorized(column: pd.Series) -> tuple[list[str], np.ndarray]:
    """A column's distinct texts and each row's index among them."""
    if not isinstance(column.dtype, pd.CategoricalDtype):  # its missing ones all read as NaN
        column = column.map(_text)  # None and NaN give other texts
    codes, values = pd.factorize(column, use_na_sentinel=False)
    return [_text(v) for v in values], codes.astype(np.int64)


@dataclass(frozen=True, slots=True)
class Cast:
    """Who plays each agent of a run.

    Attributes:
        roster: the agents, with who an LLM plays and which LLM group (``llm_group``).
        custom: each custom policy with the agents it plays.
        custom_ids: every agent a custom policy plays, sorted.
        always_active: the custom policies' agents active every step, sorted.
        groups: each agent's seed group (the population's ``group`` column), where it has one.
    """

    roster: Roster
    custom: tuple[CustomPolicySpec, ...]
    custom_ids: np.ndarray
    always_active: np.ndarray
    groups: np.ndarray | None

    def group_names(self) -> dict[int, str] | None:
        """Each agent's seed group, where the population has groups."""
        if self.groups is None:
            return None
        ids = self.roster.agent_ids[: len(self.groups)].tolist()
        return dict(zip(ids, self.groups, strict=True))


def cast_agents(config: ExperimentConfig, population: Population) -> Cast:
    """The run's agents and who plays each: an LLM (of which group), a custom policy, the rules."""
    users = population.users
    groups = users["group"].astype(str).to_numpy() if "group" in users.columns else None
    custom = custom_policies(config, population)
    custom_ids = np.array(sorted(a for c in custom for a in c.agent_ids), np.int64)
    always = sorted(
        a
        for c, spec in zip(config.policy.custom, custom, strict=True)
        if c.always_active
        for a in spec.agent_ids
    )
    roster = _roster(config, population, groups, custom_ids)
    return Cast(roster, custom, custom_ids, np.array(always, np.int64), groups)


def _roster(
    config: ExperimentConfig,
    population: Population,
    groups: np.ndarray | None,
    custom_ids: np.ndarray,
) -> Roster:
    """The agents, with who an LLM plays and which LLM group (``llm_group``) plays them."""
    ids = population.users["user_id"].to_numpy(np.int64)
    claimed = assign_llm_groups(config.llm_groups, config.seed, ids, groups)
    names = np.array(["", *(g.name for g in config.llm_groups)], dtype=object)
    users = population.users.assign(llm_group=names[claimed + 1])
    is_llm = (claimed >= 0) | llm_mask(config, population)
    is_llm[np.isin(ids, custom_ids)] = False  # a custom policy plays these
    return Roster(users, is_llm, _hourly(config, population), agent_multipliers(config, ids))


def agent_multipliers(config: ExperimentConfig, agent_ids: np.ndarray) -> np.ndarray | None:
    """Each agent's multiplier of its rate (``activation.rate_spread``); None: no spread."""
    spread = config.activation.rate_spread
    return rate_multipliers(config.seed, agent_ids, spread) if spread > 0 else None


def llm_mask(
    config: ExperimentConfig, population: Population, *, without_endpoints: bool = False
) -> np.ndarray:
    """Which agents an LLM plays: the listed (ids or the core) and a seeded share of the rest.

    None without endpoints, unless ``without_endpoints`` (``oasis plan`` counts the agents a run
    with endpoints would give to an LLM).
    """
    agent_ids = population.users["user_id"].to_numpy(np.int64)
    if not config.llm.endpoints and not without_endpoints:
        return np.zeros(len(agent_ids), bool)
    policy = config.policy
    core = _core(config, population) if policy.llm_agents == CORE else None
    return select_agents(agent_ids, policy.llm_agents, policy.llm_share, config.seed, core)


CUSTOM_DRAWS = 16  # the population stream's counters of custom policies' shares (LLM's is 0)


def custom_policies(
    config: ExperimentConfig, population: Population
) -> tuple[CustomPolicySpec, ...]:
    """Each custom policy with the agents it plays; an agent goes to the first that selects it."""
    agent_ids = population.users["user_id"].to_numpy(np.int64)
    taken = np.zeros(len(agent_ids), bool)
    specs = []
    for index, custom in enumerate(config.policy.custom):
        core = _core(config, population) if custom.agents == CORE else None
        chosen = select_agents(
            agent_ids, custom.agents, custom.share, config.seed, core, draw=CUSTOM_DRAWS + index
        )
        if custom.group is not None:
            if "group" not in population.users.columns:
                raise RunError(f"custom policy {custom.name}: the population has no groups")
            chosen |= (population.users["group"].astype(str) == custom.group).to_numpy()
        chosen &= ~taken
        taken |= chosen
        ids = frozenset(int(a) for a in agent_ids[chosen])
        specs.append(CustomPolicySpec(custom.name, custom.policy, ids, dict(custom.options)))
    return tuple(specs)


def _core(config: ExperimentConfig, population: Population) -> np.ndarray:
    agent_ids = population.users["user_id"].to_numpy(np.int64)
    return core_agents(agent_ids, population.follows, population.core, config.policy.core_share)


def _hourly(config: ExperimentConfig, population: Population) -> np.ndarray | None:
    if config.activation.kind == "uniform":
        return None
    if population.activity is None:
        raise RunError("activation 'profile' needs hourly activity, which this population lacks")
    return hourly_probabilities(population.activity)
