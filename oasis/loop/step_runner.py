"""One step of the loop, phase by phase, as the README's "How a step works" lays it out.

events -> activation -> feeds, suggestions and observations (:mod:`oasis.loop.step_reads`) ->
interviews (:mod:`oasis.loop.interviews`) -> decisions (the agent pool) -> bookkeeping (the
step's actions and figures, :mod:`oasis.loop.step_figures`) -> one platform transaction -> the
loop's state moves on (:mod:`oasis.loop.loop_state`). Each phase's wall seconds go into the
step's figures (see :mod:`oasis.loop.phases`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from oasis.agents.memory import memory_to_dict
from oasis.agents.shards.pool import AgentPool
from oasis.config import ExperimentConfig
from oasis.core.actions import ActionResult, ActionType
from oasis.core.clock import Clock
from oasis.loop import collector
from oasis.loop.commands import CommandSource
from oasis.loop.events import EventSource, StepEvents, World, collect
from oasis.loop.interviews import Interviewer
from oasis.loop.loop_state import LoopState, new_memories
from oasis.loop.phases import LATE, PhaseClock
from oasis.loop.roster import Cast, Roster
from oasis.loop.seed_shares import SeedShares
from oasis.loop.step_actions import StepActions
from oasis.loop.step_figures import checked_stats, phase_figures, step_metrics
from oasis.loop.step_reads import StepInputs, StepReads
from oasis.platform import FeedRecord, Platform, StanceRecord


@dataclass(frozen=True, slots=True)
class StepReport:
    """What one committed step did; ``phases``: its wall seconds per phase, all of them."""

    step: int
    active: int
    llm_active: int
    actions: int
    failed: int
    llm_requests: int
    llm_failures: int
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)


class StepRunner:
    """Runs a run's steps one at a time over its platform and its loop state.

    Args:
        config: the experiment.
        platform: the run's database.
        clock: the run's clock.
        cast: who plays each agent.
        state: the loop's state between steps, moved past each committed step.
        events: the sources of each step's events (schedule, herd threads, commands).
        seeded: the seed posts that have sharers, for the heuristic.
        controller: the command source the step reports to, or None.
    """

    def __init__(
        self,
        config: ExperimentConfig,
        platform: Platform,
        clock: Clock,
        cast: Cast,
        state: LoopState,
        events: list[EventSource],
        seeded: SeedShares | None,
        controller: CommandSource | None,
    ) -> None:
        self.config, self.platform, self.clock = config, platform, clock
        self.cast, self.state, self.events, self.controller = cast, state, events, controller
        self.reads = StepReads(config, clock, cast, state, seeded)
        unfed = partial(self.reads.unfed, platform)
        self.interviewer = Interviewer(config, cast.roster, state.stances, controller, unfed)
        self._late_phases: dict[str, float] = {}  # the last step's, for the next step's figures

    def step(self, pool: AgentPool) -> StepReport:
        """Run and commit the next step with the agents' ``pool``; what it did."""
        t, started, phase = self.state.next_step, time.perf_counter(), PhaseClock()
        roster, custom_ids = self.cast.roster, self.cast.custom_ids
        with phase("events"):
            events = collect(self.events, t, World(self.platform, roster.next_free_id()))
            people = self.state.people.turn(
                events.people, _next_id(roster, events), roster.agent_ids
            )
        with phase("activation"):
            active, views = self.reads.activate(t, people.played)
        with self.platform.reader() as reader:
            inputs = self.reads.inputs(reader, t, (active, people.present), views, phase)
        # Interviews are asked before the decisions, so the usage the decisions report for the
        # step includes theirs (it was counted a step late, and the last step's never).
        with phase("interviews"):
            interviews, scored = self.interviewer.ask(t, events.interviews, pool)
        with phase("decisions"):
            decided = pool.decide(t, inputs.contexts, inputs.rules)
        with phase("bookkeeping"):
            stats = checked_stats(t, decided, self.interviewer.take_stats(), self.config.llm)
            made = StepActions.of(events.actions, people, inputs.contexts, decided, custom_ids)
            made = made.with_interviews(interviews)
            moved = self.state.moved(inputs.rules, scored)
            llm_active = int(np.isin(active, roster.llm_ids).sum())
            metrics = step_metrics(
                active, llm_active, len(inputs.contexts), decided, stats, started,
                len(people.present),
            )  # fmt: skip
        results = self._commit(t, made, inputs, moved, metrics, phase)
        return StepReport(
            t, len(active), llm_active, len(made.actions), sum(not r.ok for r in results),
            stats.requests, stats.failures, time.perf_counter() - started,
            phase.seconds(),
        )  # fmt: skip

    def _commit(
        self,
        t: int,
        made: StepActions,
        inputs: StepInputs,
        moved: StanceRecord | None,
        metrics: dict[str, Any],
        phase: PhaseClock,
    ) -> list[ActionResult]:
        """Apply and commit the step (its figures with the phases timed so far), then move on.

        The previous step's ``commit``, ``advance`` and ``collect`` go with this step's figures;
        this step's are kept for the next one (see :mod:`oasis.loop.phases`).
        """
        state, feeds = self.state, inputs.feeds
        with self.platform.step(t, self.clock.seconds(t)) as tx:
            with phase("apply"):
                results = tx.apply(made.actions, made.actors)
            with phase("memories"):
                memories = new_memories(inputs.contexts, made.actions, results, made.own)
                tx.save_memories({agent: memory_to_dict(m) for agent, m in memories.items()})
            with phase("commit"):
                tx.save_metrics(metrics | phase_figures(phase, self._late_phases))
                tx.save_feeds(FeedRecord(feeds.user_id, feeds.indptr, feeds.post_id))
                if moved is not None:
                    tx.save_stances(moved)
                if self.controller is not None:
                    tx.finish_commands(self.controller.handed(), made.outcomes(results))
        with phase("advance"):
            state.memories.update(memories)
            state.people.commit(made.turn, made.of_people(results))
            if state.stances is not None and moved is not None:
                state.stances.commit(moved)
            state.advance(self.platform, t, feeds, tx.changes())
        with phase("collect"):
            collector.collect()
        self._late_phases = {k: v for k, v in phase.seconds().items() if k in LATE}
        return results


def _next_id(roster: Roster, events: StepEvents) -> int:
    """The first id free after the events' own sign-ups (a new person's user takes it)."""
    signed = [a.agent_id + 1 for a in events.actions if a.type == ActionType.SIGN_UP]
    return max([roster.next_free_id(), *signed])
