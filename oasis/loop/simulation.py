"""The simulation loop: one synchronous, deterministic step at a time.

Each step: activation -> scheduled events -> feeds for the active users -> observations ->
decisions -> one platform transaction (the actions, the agents' memories, the feeds and the
step's figures) -> the loop's own state (memories, roster, recommenders) moves on. Observations
read the state committed at the end of the previous step, so the same seed and the same LLM
answers give the same database.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.heuristic.settings import HeuristicSettings
from oasis.agents.llm.chat import LLMStats
from oasis.agents.llm.groups import DEFAULT_GROUP, assign_llm_groups
from oasis.agents.llm.preflight import check_endpoints, check_tool_choice
from oasis.agents.llm.settings import LLMSettings
from oasis.agents.memory import AgentMemory, memory_from_dict, memory_to_dict, remember
from oasis.agents.opinions.stance_scorer import StanceScorer, make_stance_scorer
from oasis.agents.policy import AgentContext
from oasis.agents.policy_assignment import CORE, core_agents, select_agents
from oasis.agents.settings import CustomPolicySpec
from oasis.agents.shards.pool import AgentPool, make_pool
from oasis.agents.shards.worker import Decisions
from oasis.analysis.step_time import PHASES, PREVIOUS
from oasis.config import (
    RESUME_MAY_CHANGE,
    ExperimentConfig,
    config_changes,
    redact,
)
from oasis.core.actions import Action, ActionResult, ActionType
from oasis.core.clock import (
    Clock,
    draw_active,
    hourly_probabilities,
    last_active_steps,
    step_activity,
)
from oasis.core.redaction import redact_url
from oasis.core.rng import Stream, generator
from oasis.datasets.cleaning import Repair
from oasis.datasets.population import Population
from oasis.datasets.reddit import load_counterfactual
from oasis.datasets.source import build_population
from oasis.errors import OasisError, RunError
from oasis.loop import collector
from oasis.loop.commands import CommandSource, StoredCommands
from oasis.loop.events import EventSource, Interview, StepEvents, World, collect
from oasis.loop.herd_threads import HerdThreads
from oasis.loop.people import KINDS as PERSON_KINDS
from oasis.loop.people import People
from oasis.loop.phases import LATE, PhaseClock
from oasis.loop.roster import PROFILE_KEYS, Roster, profile_text
from oasis.loop.schedule import Schedule
from oasis.loop.seed_shares import SeedShares
from oasis.loop.stance_book import StanceBook, merge, score_answers
from oasis.loop.step_actions import StepActions
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
from oasis.loop.step_state import StepState, engagement
from oasis.platform import FeedRecord, Platform, RunInfo, StanceRecord, StepChanges
from oasis.platform.reader import Reader
from oasis.recsys import Feeds, PostTable, RecsysState, make_embedder, make_recommender
from oasis.recsys.recommender import Recommender

DEFAULT_START = datetime(2026, 1, 1)
RUN_FILE = "run.json"
logger = logging.getLogger(__name__)


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


@dataclass(frozen=True, slots=True)
class StepInputs:
    """What a step's decisions are made from: the feeds given and each kind of agent's input."""

    feeds: Feeds
    contexts: list[AgentContext]
    rules: HeuristicBatch


class Simulation:
    """A run of one experiment over one platform database.

    Attributes:
        setup_phases: wall seconds per phase of :meth:`open`: population (its follow graph
            included), workers, agents, recsys (embedding, replaying a resumed run), database
            (writing the population), step_state (reading back what steps need in memory).
    """

    def __init__(
        self,
        config: ExperimentConfig,
        platform: Platform,
        population: Population,
        pool: AgentPool,
        controller: CommandSource | None = None,
    ) -> None:
        self.config, self.controller = config, controller
        self.platform, self.pool = platform, pool
        start = config.clock.start or population.start_time or DEFAULT_START
        self.clock = Clock(start, config.clock.minutes_per_step)
        self.groups = _seed_groups(population)
        self.custom, self.custom_ids, self.always_active = _custom_agents(config, population)
        self.roster = _roster(config, population, self.groups, self.custom_ids)
        self.stances = (
            StanceBook(
                config.opinions, config.interview, config.seed, self.roster.agent_ids, self.groups
            )
            if config.opinions is not None
            else None
        )
        self._scorer: StanceScorer | None = None
        self.recommender: Recommender = make_recommender(
            config.recsys, make_embedder(config.recsys.embedder)
        )
        self.memories: dict[int, AgentMemory] = {}
        self.step_state: StepState | None = None  # loaded once the run is written
        self.herd, found = _herd(config, population)
        self.repairs: tuple[Repair, ...] = (*population.repairs, *found)
        schedule = Schedule(self.clock, population.posts, config.events)
        self.seeded = SeedShares.of(population.posts, schedule.created_at)
        self.events: list[EventSource] = [
            schedule,
            *([self.herd] if self.herd is not None else []),
            *([controller] if controller is not None else []),
        ]
        self.next_step, self.people = 0, People()
        self._late_phases: dict[str, float] = {}  # the last step's, for the next step's figures
        self.setup_phases: dict[str, float] = {}

    @classmethod
    def open(
        cls,
        config: ExperimentConfig,
        *,
        resume: bool = False,
        controller: CommandSource | None = None,
    ) -> Simulation:
        """Set up a run: a fresh database with the population, or the run found there (resume).

        A ``controller`` (an in-process queue) may pause the run and inject posts, agents and
        interviews at the next step; without one the run reads what an API process writes into
        its database. Nothing is written until every check of ``_checked_start`` has passed.
        """
        config.output.mkdir(parents=True, exist_ok=True)
        write_run_file(config)
        setup, platform = PhaseClock(), Platform.open(config.database_url, config.platform)
        try:
            info, population, pool = _checked_start(config, platform, resume, setup)
        except BaseException:
            platform.close()
            raise
        try:
            source = controller or StoredCommands(platform.commands())
            with setup("agents"):
                simulation = cls(config, platform, population, pool, source)
            for repair in simulation.repairs:
                logger.info("seed repaired: %s", repair.describe())
        except BaseException:
            pool.close()
            platform.close()
            raise
        try:
            simulation._start(info, population, setup)
        except BaseException:
            simulation.close()
            raise
        return simulation

    def _start(self, info: RunInfo | None, population: Population, setup: PhaseClock) -> None:
        """Rebuild the loop's state from the database, write the run; set-up phases timed."""
        with setup("recsys"):
            self._restore()
        with setup("database"):
            written = self._record(info, population)
        with setup("step_state"):
            if written:  # what was just written is known: nothing to read back
                ids = population.users["user_id"].to_numpy(np.int64)
                self.step_state = StepState.start(ids, population.follows)
            with self.platform.reader() as reader:
                self._step_state(reader, self.next_step - self._window_steps())
        self.setup_phases = setup.seconds()
        collector.freeze()  # what the set-up built lives as long as the run

    def _record(self, info: RunInfo | None, population: Population) -> bool:
        """Write the run with its population in one transaction, or the config it goes on with.

        Returns whether the population was written (a fresh run).
        """
        config = redact(self.config.model_dump(mode="json"))
        if info is None or not self.platform.has_population():
            users, follows = population.users, population.follows
            self.platform.begin_run(self.config.seed, config, users, follows)
            if self.stances is not None:
                self.platform.save_stances(-1, self.stances.start())
            return True
        if info.config != config:
            self.platform.set_config(config)  # more steps, another endpoint, ...
        return False

    def run(self, on_step: Callable[[StepReport], None] | None = None) -> None:
        """Run the remaining steps, calling ``on_step`` after each commit."""
        self.platform.set_status("running")
        try:
            while self.next_step < self.config.steps:
                if self.controller is not None:
                    while not self.controller.wait_while_paused(timeout=0.5):
                        pass
                    self.controller.wait_for(self.people.present(), self.config.humans.wait_s)
                report = self.step()
                if on_step is not None:
                    on_step(report)
        except OasisError:
            self.platform.set_status("failed")  # what was committed stays; --resume goes on
            raise
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM to the oasis command
            self.platform.set_status("stopped")
            raise
        self.platform.commands().expire_pending(self.next_step - 1)  # none waits for ever
        self.platform.set_status("finished")

    def __enter__(self) -> Simulation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write_results(self) -> list[Path]:
        """Write the results folder (Parquet tables, metrics, plots, summary) for the steps run."""
        from oasis.loop.results import write_results  # results import this module

        return write_results(
            self.platform, self.clock, self.config.output, self.config.name,
            herd=self.herd_table(),
        )  # fmt: skip

    def llm_in_flight(self) -> int:
        """LLM requests being answered right now; progress displays call it from their thread."""
        return self.pool.in_flight()

    def close(self) -> None:
        """Release the workers, the database and what the set-up froze."""
        self.pool.close()
        self.platform.close()
        collector.release()

    def step(self) -> StepReport:
        """Run and commit the next step, as the README's "How a step works" lays it out.

        Each phase's wall seconds go into the step's figures (see :mod:`oasis.loop.phases`);
        the cyclic garbage collector waits for the step's end (:mod:`oasis.loop.collector`).
        """
        with collector.paused():
            return self._step()

    def _step(self) -> StepReport:
        t, started, phase = self.next_step, time.perf_counter(), PhaseClock()
        now = self.clock.seconds(t)
        with phase("events"):
            events = collect(self.events, t, World(self.platform, self.roster.next_free_id()))
            roster = self.roster
            people = self.people.turn(events.people, _next_id(roster, events), roster.agent_ids)
        with phase("activation"):
            active, views = self._activate(t, people.played)
        with self.platform.reader() as reader:
            inputs = self._inputs(reader, t, now, (active, people.present), views, phase)
        # Interviews are asked before the decisions, so the usage the decisions report for the
        # step includes theirs (it was counted a step late, and the last step's never).
        with phase("interviews"):
            interviews, scored = self._interview(t, events.interviews)
        with phase("decisions"):
            decided = self.pool.decide(t, inputs.contexts, inputs.rules)
        with phase("bookkeeping"):
            stats = self._checked_stats(t, decided)
            made = StepActions.of(events.actions, people, inputs.contexts, decided, self.custom_ids)
            made = made.with_interviews(interviews)
            moved = self._moved(inputs.rules, scored)
            llm_active = int(np.isin(active, self.roster.llm_ids).sum())
            metrics = _metrics(
                active, llm_active, inputs, decided, stats, started, len(people.present)
            )
        results = self._commit(t, now, made, inputs, moved, metrics, phase)
        return StepReport(
            t, len(active), llm_active, len(made.actions), sum(not r.ok for r in results),
            stats.requests, stats.failures, time.perf_counter() - started,
            phase.seconds(),
        )  # fmt: skip

    def _commit(
        self,
        t: int,
        now: float,
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
        with self.platform.step(t, now) as tx:
            with phase("apply"):
                results = tx.apply(made.actions, made.actors)
            with phase("memories"):
                memories = new_memories(inputs.contexts, made.actions, results, made.own)
                tx.save_memories({agent: memory_to_dict(m) for agent, m in memories.items()})
            with phase("commit"):
                tx.save_metrics(metrics | _phase_figures(phase, self._late_phases))
                tx.save_feeds(_feed_record(inputs.feeds))
                if moved is not None:
                    tx.save_stances(moved)
                if self.controller is not None:
                    tx.finish_commands(self.controller.handed(), made.outcomes(results))
        with phase("advance"):
            self.memories.update(memories)
            self.people.commit(made.turn, made.of_people(results))
            if self.stances is not None and moved is not None:
                self.stances.commit(moved)
            self._advance(t, inputs.feeds, tx.changes())
        with phase("collect"):
            collector.collect()
        self._late_phases = {k: v for k, v in phase.seconds().items() if k in LATE}
        return results

    def herd_table(self) -> pd.DataFrame | None:
        """Each seed thread's first comment with its group and final votes (herd runs only)."""
        if self.herd is None:
            return None
        return self.herd.table(self.platform, self.next_step).assign(seed=self.config.seed)

    def group_names(self) -> dict[int, str] | None:
        """Each agent's seed group, where the population has groups."""
        if self.groups is None:
            return None
        ids = self.roster.agent_ids[: len(self.groups)].tolist()
        return dict(zip(ids, self.groups, strict=True))

    def provenance(self) -> dict[str, str]:
        """Which models and settings produced this run's results, for its summary."""
        roster = self.roster
        with self.platform.reader() as reader:
            figures = reader.step_figures()
        usage = _group_usage(figures)
        asked = sum(int(f.get("actions_by_type", {}).get("interview", 0)) for f in figures)
        lines = describe_models(self.config, len(roster.llm_ids), len(roster.agent_ids), asked)
        playing = roster.users.loc[roster.llm_ids[roster.llm_ids < len(roster.users)], "llm_group"]
        played = [("", DEFAULT_GROUP, self.config.llm)]
        played += [(g.name, g.name, g.llm) for g in self.config.llm_groups]
        for key, name, llm in played:
            agents = int((playing == key).sum())
            if agents or name in usage:
                lines[f"llm group {name}"] = _usage_line(llm, agents, usage.get(name))
        return lines

    def _window_steps(self) -> int:
        """The candidate window, ``candidate_window_hours`` of simulated time, in whole steps."""
        return self.clock.steps_in(self.config.candidate_window_hours * 60.0)

    def _activate(self, step: int, played: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The agents active at ``step``, and every agent's feed views in it (roster order).

        Agents that people play (``played``) are left out: no policy decides for them.
        """
        chance, views = step_activity(self._rate(step), self.clock.minutes_per_step)
        active = draw_active(self.config.seed, step, self.roster.agent_ids, chance)
        active = np.union1d(active, self.always_active) if len(self.always_active) else active
        active = np.setdiff1d(active, played) if len(played) else active
        return active, np.broadcast_to(views, self.roster.agent_ids.shape)

    def _rate(self, step: int) -> np.ndarray | float:
        """Each agent's feed views per simulated hour at ``step``'s hour."""
        return self.roster.probability(self.clock.hour(step), self.config.activation.views_per_hour)

    def _inputs(
        self,
        reader: Reader,
        step: int,
        now: float,
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
        readers, observed, rules_at = _who_decides(*deciding, self.roster.llm_ids, self.custom_ids)
        with phase("feeds"):
            past, candidates = self._candidates(reader, step)
            users = active_users(reader, past, readers, candidates[0])
            rng = generator(self.config.seed, Stream.RECSYS, step)
            ranked = self.recommender.recommend(candidates[0], users, now, rng)
            feeds = one_per_original(ranked, *candidates)  # a timeline shows an original once
        state = self.recommender.state
        with phase("who_to_follow"):
            pick = generator(self.config.seed, Stream.SUGGESTION, step)
            found = follow_suggestions(past, users, state, self.config.recsys.who_to_follow, pick)
            shown = suggestion_views(reader, found, np.flatnonzero(observed))
        with phase("observations"):
            by_user = feeds_of(feeds, readers[observed])  # the heuristic's go as columns
            contexts = self._contexts(reader, by_user, readers[observed], step, shown)
            rule_ids = readers[rules_at]
            topics = self.roster.topics(rule_ids)
            mine = self.stances.of(rule_ids) if self.stances is not None else None
            wanted = wanted_flags(self.config.allowed_actions)
            rules = heuristic_batch(
                reader, past, feeds, rule_ids, candidates, state, topics, mine, wanted,
                found.lists(rules_at), self._step_time(step, rule_ids, views), self.seeded,
            )  # fmt: skip
        return StepInputs(feeds, contexts, rules)

    def _step_time(self, step: int, ids: np.ndarray, views: np.ndarray) -> StepTime:
        """The step's time for the heuristic agents ``ids``; ``views`` is in roster order.

        An agent's previous feed view is its latest active step in the candidate window
        (always-active agents: the step before), redrawn from the seed.
        """
        order = np.argsort(self.roster.agent_ids)
        at = order[np.searchsorted(self.roster.agent_ids, ids, sorter=order)]

        def chance_at(past: int, rows: np.ndarray) -> np.ndarray | float:
            rate = self._rate(past)
            mine = rate[at[rows]] if isinstance(rate, np.ndarray) else rate
            return step_activity(mine, self.clock.minutes_per_step)[0]

        earliest = step - self._window_steps()
        last = last_active_steps(self.config.seed, step, ids, chance_at, earliest)
        if len(self.always_active) and step > 0:
            last[np.isin(ids, self.always_active)] = step - 1
        step_s = self.clock.minutes_per_step * 60.0
        since = np.where(last >= 0, (step - last) * step_s, np.inf)
        return StepTime(self.clock.seconds(step), since, np.asarray(views[at]))

    def _candidates(
        self, reader: Reader, step: int
    ) -> tuple[StepState, tuple[PostTable, np.ndarray]]:
        """The step state, and the posts of the window before ``step`` with their roots."""
        since = step - self._window_steps()
        past = self._step_state(reader, since)
        return past, past.candidates(since)

    def _step_state(self, reader: Reader, since_step: int) -> StepState:
        """The follow graph, counters and candidate posts: read once, then moved by each step."""
        if self.step_state is None:
            self.step_state = StepState.load(reader, since_step)
        return self.step_state

    def _contexts(
        self,
        reader: Reader,
        by_user: dict[int, np.ndarray],
        ids: np.ndarray,
        step: int,
        suggested: SuggestedByUser,
    ) -> list[AgentContext]:
        """What the LLM and custom-policy agents ``ids`` see: profile, memory and observation."""
        return llm_contexts(
            reader, by_user, ids, step, self.clock.label(step), self.roster.profiles(ids),
            self.memories, self.config.platform.report_threshold, suggested,
        )  # fmt: skip

    def _interview(
        self, step: int, interviews: Sequence[Interview]
    ) -> tuple[list[Action], StanceRecord]:
        """Ask each interview's agents; API askers get the answers. Also the stances given.

        By default every agent is asked: LLM agents answer in text, scored by the configured
        stance scorer; heuristic agents answer with their stance (with opinions configured;
        without, only LLM agents are asked).
        """
        asked: list[Action] = []
        scored = [StanceRecord(np.empty(0, np.int64), np.empty(0))]
        for interview in interviews:
            ids = np.array(interview.user_ids or self.roster.llm_ids, np.int64)
            ids = ids[np.isin(ids, self.roster.agent_ids)]
            rules = ids[~np.isin(ids, self.roster.llm_ids)]
            api = interview.command_id is not None and self.controller is not None
            if api and len(rules) and self.stances is None:  # no stance to answer with
                reason = (
                    f"users {rules.tolist()} are heuristic agents: without opinions "
                    "configured only LLM agents can be interviewed"
                )
                self.controller.refuse(interview.command_id, reason)  # type: ignore[union-attr, arg-type]
                continue  # the heuristic policy has no words to answer with
            answers, stances = self._ask(step, interview)
            if interview.command_id is not None and self.controller is not None:
                replies = {a.agent_id: str(a.args.get("response", "")) for a in answers}
                self.controller.answer(interview.command_id, replies)
            asked += answers
            scored.append(stances)
        return asked, merge(*scored)

    def _ask(self, step: int, interview: Interview) -> tuple[list[Action], StanceRecord]:
        """One interview's answers: LLM agents through the pool (scored), others by stance."""
        roster = self.roster
        everyone = roster.agent_ids if self.stances is not None else roster.llm_ids
        ids = np.array(interview.user_ids or everyone, np.int64)
        ids = ids[np.isin(ids, roster.agent_ids)]
        # Without stances an agent named explicitly is asked through the pool, as before.
        llm = ids if self.stances is None else ids[np.isin(ids, roster.llm_ids)]
        with self.platform.reader() as reader:
            contexts = self._contexts(reader, {}, llm, step, {})
        answers = self.pool.interview(contexts, interview.question) if len(llm) else []
        stances = StanceRecord(np.empty(0, np.int64), np.empty(0))
        if answers:
            answers, stances = score_answers(self._stance_scorer(), interview.question, answers)
        if self.stances is not None:
            answers += self.stances.answers(ids[~np.isin(ids, llm)], interview.question)
        return answers, stances

    def _moved(self, rules: HeuristicBatch, scored: StanceRecord) -> StanceRecord | None:
        """The stances this step changes: what heuristic agents read, LLM answers' scores."""
        if self.stances is None:
            return None
        return merge(self.stances.after_reading(rules), scored)

    def _checked_stats(self, step: int, decided: Decisions) -> LLMStats:
        """The step's LLM usage (decisions, interviews, the stance judge), within its bounds.

        The share of failed requests counts every request; the share of answers that did not
        parse counts the agents' decisions only (a rating the judge gives unreadably leaves an
        answer unscored, counted in ``invalid_outputs``).

        Raises:
            RunError: too many requests failed or answers did not parse; nothing is committed.
        """
        judged = self._scorer.take_stats() if self._scorer is not None else LLMStats()
        stats = decided.stats + judged
        _check_failure_rate(step, stats, self.config.llm.max_failure_rate)
        _check_invalid_rate(step, decided.stats, self.config.llm.max_invalid_rate)
        return stats

    def _stance_scorer(self) -> StanceScorer:
        """The interview answers' scorer, made when first needed."""
        if self._scorer is None:
            llm = self.config.llm
            if not llm.endpoints and self.config.llm_groups:
                llm = self.config.llm_groups[0].llm
            self._scorer = make_stance_scorer(
                self.config.interview.scorer, self.config.interview.scale, llm.endpoints,
                llm.model, api_key=llm.api_key, timeout_s=llm.timeout_s,
                max_retries=llm.max_retries, cache=llm.cache,
            )  # fmt: skip
        return self._scorer

    def _advance(self, step: int, feeds: Feeds, changes: StepChanges | None = None) -> None:
        """Move the loop's state past a committed step (also used to replay on resume).

        A step just run gives its ``changes``, which also move the step state; a replayed one
        is read back from the database. Every candidate window (``candidate_window_hours`` in
        steps), what was shown is forgotten for posts that can no longer be candidates, so that
        store stays as large as the window, not the run.
        """
        state: RecsysState = self.recommender.state
        window = self._window_steps()
        with self.platform.reader() as reader:
            joined_ids = reader.users_created(step) if changes is None else changes.new_users
            joined = reader.profiles(joined_ids.tolist())
            post_ids, texts = reader.post_texts(step, step)
            state.add_posts(post_ids, texts)
            engaged = reader.engagement(step) if changes is None else engagement(changes)
            due = (step + 1) % window == 0
            candidates = reader.post_table(step + 1 - window)["post_id"] if due else None
        if joined:
            self.roster.join(joined)
            if self.stances is not None:
                self.stances.add_agents(np.array(sorted(joined), np.int64))
            ids = sorted(joined)
            texts = [profile_text(*(joined[u][k] for k in PROFILE_KEYS)) for u in ids]
            state.add_profiles(np.array(ids, np.int64), texts)
        state.record_shown(feeds)
        if candidates is not None:
            state.shown.retain_posts(candidates)
        state.observe_engagement(engaged["user_id"], engaged["post_id"])
        if changes is not None and self.step_state is not None:
            self.step_state.apply(changes)
        self.next_step = step + 1

    def _restore(self) -> None:
        """Embed the population, then replay every committed step into the recommenders' state."""
        self.recommender.state.add_profiles(self.roster.agent_ids, self.roster.texts())
        info = self.platform.run_info()
        last = -1 if info is None else info.last_step
        for step in range(last + 1):
            with self.platform.reader() as reader:
                logged = reader.feeds(step)
            assert logged is not None, f"step {step} is committed without its feed log"
            self._advance(step, Feeds(*logged))
        with self.platform.reader() as reader:
            saved = reader.memories(np.union1d(self.roster.llm_ids, self.custom_ids).tolist())
            if self.stances is not None:
                self.stances.restore(reader.stances(self.roster.agent_ids.tolist()))
        self.memories = {u: memory_from_dict(m) for u, m in saved.items()}
        self.people.restore(self.platform.commands().recorded(PERSON_KINDS, last))


def write_run_file(config: ExperimentConfig) -> None:
    """Note in the results folder where its database is, so the folder names the run.

    A password in the URL is not written; such a parent is named by its URL instead.

    Raises:
        RunError: the folder already names a run in another database (the same experiment
            run on SQLite and then on PostgreSQL would overwrite the first one's results).
    """
    url = redact_url(config.database_url)
    path = config.output / RUN_FILE
    try:
        named = json.loads(path.read_text()).get("database_url") if path.exists() else None
    except (OSError, ValueError, AttributeError):
        named = None  # not a run file of ours: nothing to protect
    if named not in (None, url):
        raise RunError(
            f"output: {config.output} holds the results of the run in {named}; give the run "
            f"in {url} an output folder of its own"
        )
    text = json.dumps({"name": config.name, "database_url": url}, indent=1)
    path.write_text(text + "\n")


def new_memories(
    contexts: Sequence[AgentContext],
    actions: Sequence[Action],
    results: Sequence[ActionResult],
    offset: int,
) -> dict[int, AgentMemory]:
    """The LLM agents' memories after a step: each remembers its own actions and their results.

    ``actions[offset:]`` are the agents' own (the events' actions come first).
    """
    spans: dict[int, list[int]] = {}
    for index in range(offset, len(actions)):
        spans.setdefault(actions[index].agent_id, []).append(index)
    memories = {}
    for ctx in contexts:
        mine = spans.get(ctx.profile.agent_id, [])
        memories[ctx.profile.agent_id] = remember(
            ctx.memory, ctx.observation, [actions[i] for i in mine], [results[i] for i in mine]
        )
    return memories


def _usage_line(llm: LLMSettings, agents: int, usage: LLMStats | None) -> str:
    """One LLM group's model, endpoints, agents and usage over the run, for the summary."""
    used = usage or LLMStats()
    return (
        f"model {llm.model} at {', '.join(llm.endpoints)}: {agents} agents; {used.requests}"
        f" requests, {used.failures} failed, {used.retries} retries, {used.invalid_outputs}"
        f" invalid outputs, {used.prompt_tokens} prompt and {used.completion_tokens}"
        " completion tokens"
    )


def _heuristic_line(rates: HeuristicSettings) -> str:
    """The heuristic's social influence and vote rates, as the summary lists them."""
    return (
        f"positive_herding={rates.positive_herding:g}, "
        f"negative_herding={rates.negative_herding:g}, correction={rates.correction:g}, "
        f"popularity_weight={rates.popularity_weight:g}, comment_vote={rates.comment_vote:g}, "
        f"vote_lean={rates.vote_lean:g}, agreement_weight={rates.agreement_weight:g}, "
        f"like={rates.like:g}, dislike={rates.dislike:g}, comment={rates.comment:g}"
    )


def describe_models(
    config: ExperimentConfig, llm_agents: int, agents: int, interviews: int
) -> dict[str, str]:
    """The models behind a run's agents and measures, one line each.

    The interview scale and the stance scorer are listed only where the run used them: the
    scale with any interview answer, the scorer with answers of LLM agents to score.
    """
    lines = {
        "agents": f"{agents} ({llm_agents} played by an LLM, the rest by the heuristic policy)",
        "heuristic": _heuristic_line(config.policy.heuristic),
    }
    lines |= _time_lines(config) | _opinion_lines(config)
    scale, scorer = config.interview.scale, config.interview.scorer
    if interviews:
        lines["interview scale"] = (
            f"{scale.low:g} ({scale.low_label}) to {scale.high:g} ({scale.high_label})"
        )
    if interviews and llm_agents:
        lines["stance scorer"] = (
            f"lexical ({len(scorer.positive)} positive, {len(scorer.negative)} negative phrases)"
            if scorer.kind == "lexical"
            else f"LLM judge {scorer.model or config.llm.model} under a JSON schema"
        )
    return lines


def _opinion_lines(config: ExperimentConfig) -> dict[str, str]:
    """The opinion model and the starting stances (none without opinions)."""
    opinions = config.opinions
    if opinions is None:
        return {}
    params = {
        "deffuant": f"confidence={opinions.confidence:g}, convergence={opinions.convergence:g}",
        "hegselmann_krause": f"confidence={opinions.confidence:g}",
        "jager_amblard": f"acceptance={opinions.confidence:g}, "
        f"rejection={opinions.rejection:g}, convergence={opinions.convergence:g}",
    }.get(opinions.model, "stances never move")
    starts = {"others": opinions.initial, **opinions.groups}
    return {
        "opinion model": f"{opinions.model} ({params}; comments read: {opinions.read_comments})",
        "starting stances": "; ".join(
            f"{name}: normal(mean={d.mean:g}, sd={d.spread:g}) clipped to [-1, 1]"
            for name, d in starts.items()
        ),
    }


def _time_lines(config: ExperimentConfig) -> dict[str, str]:
    """The clock, activation and the heuristic's chances, each with its unit."""
    rates, activation = config.policy.heuristic, config.activation
    rate = (
        "the seed's hourly profiles (OASIS's P = f / max f)"
        if activation.kind == "profile"
        else f"{activation.views_per_hour:g}"
    )
    return {
        "time": f"{config.clock.minutes_per_step:g} simulated minutes per step; feed views per "
        f"simulated hour: {rate}; candidate window {config.candidate_window_hours:g} hours",
        "heuristic chances": f"post={rates.post:g} (per feed view), like={rates.like:g}, "
        f"repost={rates.repost:g}, comment={rates.comment:g}, dislike={rates.dislike:g} (per "
        f"exposure to an entry, over its views), follow_suggestion={rates.follow_suggestion:g} "
        "(per suggestion seen)",
        "attention": f"SEISMIC kernel (Zhao et al., KDD 2015): flat for "
        f"{rates.attention_plateau_s:g} simulated seconds, then (age / "
        f"{rates.attention_plateau_s:g} s) ** -{1 + rates.attention_theta:g}; a view gets "
        "the kernel's share since the reader's previous view",
    }


def _group_usage(steps: Sequence[dict[str, Any]]) -> dict[str, LLMStats]:
    """Each LLM group's usage over the run, from the steps' figures."""
    usage: dict[str, LLMStats] = {}
    for figures in steps:
        for name, counted in figures.get("llm_groups", {}).items():
            usage[name] = usage.get(name, LLMStats()) + LLMStats(**counted)
    return usage


def _seed_groups(population: Population) -> np.ndarray | None:
    """Each agent's seed group (the population's ``group`` column), where it has one."""
    users = population.users
    return users["group"].astype(str).to_numpy() if "group" in users.columns else None


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
    return Roster(users, is_llm, _hourly(config, population))


def _herd(
    config: ExperimentConfig, population: Population
) -> tuple[HerdThreads | None, tuple[Repair, ...]]:
    """The herd experiment's seed threads, and the repairs their file needed."""
    if config.herd is None:
        return None, ()
    threads = load_counterfactual(config.herd.path)
    herd = HerdThreads(threads, population.size, config.herd.threads)
    return herd, tuple(threads.attrs.get("repairs", ()))


def _checked_start(
    config: ExperimentConfig, platform: Platform, resume: bool, setup: PhaseClock
) -> tuple[RunInfo | None, Population, AgentPool]:
    """Everything that can refuse a start, checked before anything is written.

    The run lock, the run found (and what a resume may change), the population, the LLM
    endpoints, the workers; ``setup`` times the population and the workers.
    """
    platform.lock_run()  # a second writer is refused before it reads anything
    info = platform.run_info()
    if info is not None and not resume:
        raise RunError(f"{redact_url(config.database_url)} already holds a run; use --resume")
    if info is not None:
        _check_continuation(info, redact(config.model_dump(mode="json")), config.steps)
    with setup("population"):
        population = build_population(config.population, config.seed)
    llm = config.llm
    if llm.endpoints:  # an unreachable LLM leaves nothing behind
        check_endpoints(llm.endpoints, llm.model, llm.api_key, min(llm.timeout_s, 10.0))
    for each in (llm, *(g.llm for g in config.llm_groups)):
        if each.tools and each.endpoints:  # nor one that would answer every decision in text
            check_tool_choice(each.endpoints, each.model, each.api_key, each.timeout_s)
    spec = replace(config.worker_spec(), custom=custom_policies(config, population))
    with setup("workers"):
        return info, population, make_pool(spec, config.ray)


def _check_failure_rate(step: int, stats: LLMStats, bound: float) -> None:
    """Stop the run, before the step is committed, when too many LLM requests failed."""
    if stats.requests and stats.failures / stats.requests > bound:
        raise RunError(
            f"step {step}: {stats.failures} of {stats.requests} LLM requests failed (more than "
            f"llm.max_failure_rate {bound:.0%}); the step was not committed: check the "
            "endpoints, then continue with --resume"
        )


def _check_invalid_rate(step: int, stats: LLMStats, bound: float) -> None:
    """Stop the run, before the step is committed, when too many answers did not parse."""
    if stats.answers and stats.invalid_outputs / stats.answers > bound:
        raise RunError(
            f"step {step}: {stats.invalid_outputs} of {stats.answers} LLM answers did not parse "
            f"(more than llm.max_invalid_rate {bound:.0%}); the step was not committed: check the "
            "model and llm.max_tokens, then continue with --resume"
        )


def _check_continuation(info: RunInfo, config: dict[str, Any], steps: int) -> None:
    """Refuse to resume a run with a config that would simulate something else."""
    # Both redacted: a fork stores its configs as they are, a run stores them redacted.
    changes = config_changes(redact(info.config), config, RESUME_MAY_CHANGE)
    old_llm, new_llm = info.config.get("llm") or {}, config.get("llm") or {}
    if bool(old_llm.get("endpoints")) != bool(new_llm.get("endpoints")):
        changes.append("llm.endpoints")  # with or without endpoints, other agents are LLM agents
    if changes:
        raise RunError(
            f"--resume: {', '.join(sorted(set(changes)))} changed since the run started; a "
            "resumed run simulates the same experiment (only steps, where it runs and how the "
            "LLM is reached may change)"
        )
    if steps <= info.last_step:
        raise RunError(
            f"--resume: steps is {steps} but {info.last_step + 1} steps are already committed"
        )


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


def _custom_agents(
    config: ExperimentConfig, population: Population
) -> tuple[tuple[CustomPolicySpec, ...], np.ndarray, np.ndarray]:
    """The custom policies, every agent they play, and those of them active every step."""
    custom = custom_policies(config, population)
    ids = np.array(sorted(a for c in custom for a in c.agent_ids), np.int64)
    always = sorted(
        a
        for c, spec in zip(config.policy.custom, custom, strict=True)
        if c.always_active
        for a in spec.agent_ids
    )
    return custom, ids, np.array(always, np.int64)


def _core(config: ExperimentConfig, population: Population) -> np.ndarray:
    agent_ids = population.users["user_id"].to_numpy(np.int64)
    return core_agents(agent_ids, population.follows, population.core, config.policy.core_share)


def _hourly(config: ExperimentConfig, population: Population) -> np.ndarray | None:
    if config.activation.kind == "uniform":
        return None
    if population.activity is None:
        raise RunError("activation 'profile' needs hourly activity, which this population lacks")
    return hourly_probabilities(population.activity)


def _metrics(
    active: np.ndarray,
    llm_active: int,
    inputs: StepInputs,
    decided: Decisions,
    stats: LLMStats,
    started: float,
    people: int = 0,
) -> dict[str, Any]:
    """The step's figures stored with it: who was active, LLM usage, shards, decision time.

    ``people``: the people present (a figure kept only where some were).
    """
    metrics: dict[str, Any] = {
        "active": len(active),
        "llm_active": llm_active,
        "custom_active": len(inputs.contexts) - llm_active,
        **asdict(stats),
        **({"people": people} if people else {}),
    }
    if decided.shards:
        metrics["shards"] = [asdict(usage) for usage in decided.shards]
    if decided.groups:
        metrics["llm_groups"] = {
            name or DEFAULT_GROUP: asdict(stats) for name, stats in decided.groups.items()
        }
    return metrics | {"decide_s": round(time.perf_counter() - started, 4)}


def _phase_figures(phase: PhaseClock, previous: dict[str, float]) -> dict[str, Any]:
    """The step's phases timed so far, with the previous step's late ones (if it ran here)."""
    figures: dict[str, Any] = {PHASES: phase.seconds()}
    return figures | ({PREVIOUS: previous} if previous else {})


def _feed_record(feeds: Feeds) -> FeedRecord:
    return FeedRecord(feeds.user_id, feeds.indptr, feeds.post_id)


def _who_decides(
    active: np.ndarray, people: np.ndarray, llm_ids: np.ndarray, custom_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who reads a feed; which of them get observations (LLM, custom), and heuristic columns.

    People read feeds but get neither: they act through the control queue.
    """
    readers = np.union1d(active, people)
    decides = np.isin(readers, active)
    observed = (np.isin(readers, llm_ids) | np.isin(readers, custom_ids)) & decides
    return readers, observed, np.flatnonzero(decides & ~observed)


def _next_id(roster: Roster, events: StepEvents) -> int:
    """The first id free after the events' own sign-ups (a new person's user takes it)."""
    signed = [a.agent_id + 1 for a in events.actions if a.type == ActionType.SIGN_UP]
    return max([roster.next_free_id(), *signed])
