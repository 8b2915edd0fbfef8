"""A run of one experiment over one database: opened, stepped, written, closed.

:meth:`Simulation.open` checks and starts the run (:mod:`oasis.loop.opening`), decides who plays
each agent (:mod:`oasis.loop.roster`) and builds the loop's state (:mod:`oasis.loop.loop_state`),
replaying a resumed run's committed steps; :meth:`Simulation.step` runs one synchronous,
deterministic step (:mod:`oasis.loop.step_runner`); :meth:`Simulation.write_results` writes the
results folder (:mod:`oasis.loop.results`). Observations read the state committed at the end of
the previous step, so the same seed and the same LLM answers give the same database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from oasis.agents.memory import AgentMemory
from oasis.agents.shards.pool import AgentPool, make_pool
from oasis.config import ExperimentConfig
from oasis.core.clock import Clock
from oasis.datasets.population import Population
from oasis.errors import OasisError
from oasis.loop import collector
from oasis.loop.commands import CommandSource, StoredCommands
from oasis.loop.events import EventSource
from oasis.loop.loop_state import LoopState
from oasis.loop.opening import checked_start, herd_threads, record_run, write_run_file
from oasis.loop.people import People
from oasis.loop.phases import PhaseClock
from oasis.loop.roster import Roster, cast_agents
from oasis.loop.schedule import Schedule
from oasis.loop.seed_shares import SeedShares
from oasis.loop.stance_book import StanceBook
from oasis.loop.step_runner import StepReport, StepRunner
from oasis.loop.step_state import StepState
from oasis.platform import Platform, RunInfo
from oasis.recsys import make_embedder, make_recommender
from oasis.recsys.recommender import Recommender

DEFAULT_START = datetime(2026, 1, 1)
logger = logging.getLogger(__name__)


class Simulation:
    """A run of one experiment over one platform database.

    Attributes:
        cast: who plays each agent; ``roster`` is its agents.
        state: what the loop keeps between steps (:class:`~oasis.loop.loop_state.LoopState`).
        runner: runs each step (:class:`~oasis.loop.step_runner.StepRunner`).
        herd: the herd experiment's seed threads, or None.
        repairs: the seed data's repairs (the population's and the herd threads').
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
        self.cast = cast_agents(config, population)
        self.roster: Roster = self.cast.roster
        ids, groups = self.roster.agent_ids, self.cast.groups
        stances = (
            StanceBook(config.opinions, config.interview, config.seed, ids, groups)
            if config.opinions is not None
            else None
        )
        recommender = make_recommender(config.recsys, make_embedder(config.recsys.embedder))
        window = self.clock.steps_in(config.candidate_window_hours * 60.0)
        self.state = LoopState(self.roster, recommender, stances, window)
        self.herd, found = herd_threads(config, population)
        self.repairs = (*population.repairs, *found)
        schedule = Schedule(self.clock, population.posts, config.events)
        events: list[EventSource] = [
            schedule,
            *([self.herd] if self.herd is not None else []),
            *([controller] if controller is not None else []),
        ]
        seeded = SeedShares.of(population.posts, schedule.created_at)
        self.runner = StepRunner(
            config, platform, self.clock, self.cast, self.state, events, seeded, controller
        )
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
        its database. Nothing is written until every check of
        :func:`~oasis.loop.opening.checked_start` has passed.
        """
        config.output.mkdir(parents=True, exist_ok=True)
        write_run_file(config)
        setup, platform = PhaseClock(), Platform.open(config.database_url, config.platform)
        try:
            info, population, spec = checked_start(config, platform, resume, setup)
            with setup("workers"):
                pool = make_pool(spec, config.ray)
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
        """Rebuild the loop's state from the database, write the run; set-up phases timed.

        The state is rebuilt (the profiles embedded) in a thread while the run (a fresh run's
        population) is written: the two are independent, and the database's driver leaves
        Python's lock while it writes, so on two cores their seconds overlap. The write commits
        only once the state is rebuilt: a set-up that fails leaves nothing in the database.
        """
        with ThreadPoolExecutor(max_workers=1) as side:
            restored = side.submit(_timed, setup, "recsys", self._restore)
            with setup("database"):
                stances = self.state.stances
                ready = restored.result
                written = record_run(self.config, self.platform, info, population, stances, ready)
        with setup("step_state"):
            if written:  # what was just written is known: nothing to read back
                ids = population.users["user_id"].to_numpy(np.int64)
                self.state.step_state = StepState.start(ids, population.follows)
            with self.platform.reader() as reader:
                self.state.past(reader, self.next_step - self.state.window)
        self.setup_phases = setup.seconds()
        collector.freeze()  # what the set-up built lives as long as the run

    def _restore(self) -> None:
        """Embed the population and replay the committed steps (see :class:`LoopState`)."""
        self.state.restore(self.platform, self.cast.custom_ids)

    @property
    def next_step(self) -> int:
        """The step :meth:`step` runs next (the number of steps committed)."""
        return self.state.next_step

    @property
    def step_state(self) -> StepState | None:
        """The follow graph, counters and candidate posts the steps keep in memory."""
        return self.state.step_state

    @property
    def memories(self) -> dict[int, AgentMemory]:
        """The LLM and custom-policy agents' memories, by agent id."""
        return self.state.memories

    @property
    def people(self) -> People:
        """The people playing users of the run (who is present, who plays whom)."""
        return self.state.people

    @property
    def recommender(self) -> Recommender:
        """The recommender, with its state."""
        return self.state.recommender

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
            with suppress(OasisError):  # a database that failed may not record it
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
        """Write the results folder as ``oasis run`` does: :func:`oasis.loop.results.write_run`."""
        from oasis.loop.results import write_run  # loads the analysis only when asked

        return write_run(self)

    def herd_table(self) -> pd.DataFrame | None:
        """Each seed thread's first comment with its group and final votes (herd runs only)."""
        if self.herd is None:
            return None
        return self.herd.table(self.platform, self.next_step).assign(seed=self.config.seed)

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
            return self.runner.step(self.pool)


def _timed(setup: PhaseClock, phase: str, job: Callable[[], None]) -> None:
    """Run ``job`` as (more of) ``setup``'s phase ``phase``."""
    with setup(phase):
        job()
