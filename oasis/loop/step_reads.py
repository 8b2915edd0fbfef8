"""What a step's deciders read: who is active, their feeds, suggestions and observations.

Activation draws the step's active agents from the roster's hourly chances; the recommender
ranks the candidate window's posts for them (and for the people present, who get feeds only);
LLM and custom-policy agents get full observations (:class:`~oasis.agents.policy.AgentContext`),
the heuristic agents columns (:class:`~oasis.agents.heuristic.HeuristicBatch`). Everything is
read from the state committed at the end of the previous step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.policy import AgentContext
from oasis.config import ExperimentConfig
from oasis.core.arrays import distinct
from oasis.core.clock import Clock, draw_active, step_activity
from oasis.core.rng import Stream, generator
from oasis.loop.herd_threads import AGENTS_FROM
from oasis.loop.loop_state import LoopState
from oasis.loop.phases import PhaseClock
from oasis.loop.roster import Cast
from oasis.loop.seed_shares import SeedShares
from oasis.loop.step_inputs import (
    StepTime,
    SuggestedByUser,
    active_users,
    feeds_of,
    follow_suggestions,
    heuristic_batch,
    llm_contexts,
    one_per_original,
    suggestion_views,
    wanted_flags,
)
from oasis.loop.step_state import StepState
from oasis.platform import Platform
from oasis.platform.reader import Reader
from oasis.recsys import Feeds, PostTable


@dataclass(frozen=True, slots=True)
class StepInputs:
    """What a step's decisions are made from: the feeds given and each kind of agent's input."""

    feeds: Feeds
    contexts: list[AgentContext]
    rules: HeuristicBatch


class StepReads:
    """Builds each step's inputs from the loop's state."""

    def __init__(
        self,
        config: ExperimentConfig,
        clock: Clock,
        cast: Cast,
        state: LoopState,
        seeded: SeedShares | None,
    ) -> None:
        self.config, self.clock, self.cast = config, clock, cast
        self.state, self.seeded = state, seeded
        # a herd run's threads are set up, treatment included, before any agent reads a feed
        self.first_step = AGENTS_FROM if config.herd is not None else 0

    def activate(self, step: int, played: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The agents active at ``step``, and every agent's feed views in it (roster order).

        Agents that people play (``played``) are left out: no policy decides for them. No agent
        is active before :attr:`first_step`.
        """
        roster, always = self.cast.roster, self.cast.always_active
        chance, views = step_activity(self._rate(step), self.clock.minutes_per_step)
        if step < self.first_step:
            return roster.agent_ids[:0], np.broadcast_to(views, roster.agent_ids.shape)
        active = draw_active(self.config.seed, step, roster.agent_ids, chance)
        active = np.union1d(active, always) if len(always) else active
        active = np.setdiff1d(active, played) if len(played) else active
        return active, np.broadcast_to(views, roster.agent_ids.shape)

    def inputs(
        self,
        reader: Reader,
        step: int,
        deciding: tuple[np.ndarray, np.ndarray],
        views: np.ndarray,
        phase: PhaseClock,
    ) -> StepInputs:
        """Feeds for the active agents and present people; observations, heuristic columns.

        ``deciding``: the active agents and the people (who get feeds only); ``views``: every
        agent's feed views if active (roster order); ``phase`` times the parts.
        """
        # Ids may have gaps (a failed sign-up skips one): never index arrays by user id.
        # LLM and custom-policy agents get full observations, the rest heuristic columns
        config, now, recommender = self.config, self.clock.seconds(step), self.state.recommender
        readers, observed, rules_at = self._who_decides(*deciding)
        with phase("feeds"):
            past, candidates = self._candidates(reader, step)
            users = active_users(reader, past, readers, candidates[0])
            rng = generator(config.seed, Stream.RECSYS, step)
            ranked = recommender.recommend(candidates[0], users, now, rng)
            feeds = one_per_original(ranked, *candidates)  # a timeline shows an original once
        with phase("who_to_follow"):
            pick = generator(config.seed, Stream.SUGGESTION, step)
            state, wtf = recommender.state, config.recsys.who_to_follow
            found = follow_suggestions(past, users, state, wtf, pick)
            shown = suggestion_views(reader, found, np.flatnonzero(observed))
        with phase("observations"):
            by_user = feeds_of(feeds, readers[observed])  # the heuristic's go as columns
            contexts = self.contexts(reader, by_user, readers[observed], step, shown)
            rule_ids = readers[rules_at]
            mine = None if self.state.stances is None else self.state.stances.of(rule_ids)
            rules = heuristic_batch(
                reader, past, feeds, rule_ids, candidates, state,
                self.cast.roster.topics(rule_ids), mine,
                wanted_flags(config.allowed_actions), found.lists(rules_at),
                self._step_time(step, rule_ids, views), self.seeded,
            )  # fmt: skip
        return StepInputs(feeds, contexts, rules)

    def contexts(
        self,
        reader: Reader,
        by_user: dict[int, np.ndarray],
        ids: np.ndarray,
        step: int,
        suggested: SuggestedByUser,
    ) -> list[AgentContext]:
        """What the LLM and custom-policy agents ``ids`` see: profile, memory and observation."""
        return llm_contexts(
            reader, by_user, ids, step, self.clock.label(step), self.cast.roster.profiles(ids),
            self.state.memories, self.config.platform.report_threshold, suggested,
        )  # fmt: skip

    def unfed(self, platform: Platform, ids: np.ndarray, step: int) -> list[AgentContext]:
        """What agents ``ids`` see at ``step`` without a feed (an interview's agents)."""
        with platform.reader() as reader:
            return self.contexts(reader, {}, ids, step, {})

    def _who_decides(
        self, active: np.ndarray, people: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Who reads a feed; which of them get observations (LLM, custom), and heuristic columns.

        People read feeds but get neither: they act through the control queue.
        """
        readers = distinct(np.concatenate([active, people]))  # np.union1d, without a hash
        decides = np.isin(readers, active)
        llm_ids, custom_ids = self.cast.roster.llm_ids, self.cast.custom_ids
        observed = (np.isin(readers, llm_ids) | np.isin(readers, custom_ids)) & decides
        return readers, observed, np.flatnonzero(decides & ~observed)

    def _candidates(
        self, reader: Reader, step: int
    ) -> tuple[StepState, tuple[PostTable, np.ndarray]]:
        """The step state, and the posts of the window before ``step`` with their roots."""
        since = step - self.state.window
        past = self.state.past(reader, since)
        return past, past.candidates(since)

    def _step_time(self, step: int, ids: np.ndarray, views: np.ndarray) -> StepTime:
        """The step's time for the heuristic agents ``ids``; ``views`` is in roster order.

        Always-active agents view with chance 1.
        """
        agent_ids, always = self.cast.roster.agent_ids, self.cast.always_active
        order = np.argsort(agent_ids)
        at = order[np.searchsorted(agent_ids, ids, sorter=order)]
        step_s = self.clock.minutes_per_step * 60.0
        chance = step_activity(self._rate(step), self.clock.minutes_per_step)[0]
        chance = np.broadcast_to(chance, agent_ids.shape)[at]
        if len(always):
            chance = np.where(np.isin(ids, always), 1.0, chance)
        return StepTime(self.clock.seconds(step), step_s, chance, np.asarray(views[at]))

    def _rate(self, step: int) -> np.ndarray | float:
        """Each agent's feed views per simulated hour at ``step``'s hour."""
        hour = self.clock.hour(step)
        return self.cast.roster.probability(hour, self.config.activation.views_per_hour)
