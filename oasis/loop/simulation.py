"""The simulation loop: one synchronous, deterministic step at a time.

Each step: activation -> scheduled events -> feeds for the active users -> observations ->
decisions -> ``platform.apply`` (one transaction, with the agents' memories, the feeds and the
step's figures) -> the recommenders' state moves on. Observations read the state committed at the
end of the previous step, so the same seed and the same LLM answers give the same database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from oasis.agents.memory import AgentMemory, memory_from_dict, memory_to_dict, remember
from oasis.agents.policy import AgentContext
from oasis.agents.profile import Profile
from oasis.agents.shards.pool import AgentPool, make_pool
from oasis.config import ExperimentConfig
from oasis.core.actions import Action, ActionResult, ActionType
from oasis.core.clock import Clock, draw_active, hourly_probabilities
from oasis.core.rng import Stream, generator, uniform
from oasis.datasets.population import Population
from oasis.datasets.reddit import load_counterfactual
from oasis.datasets.source import build_population
from oasis.errors import RunError
from oasis.loop.commands import Command, CommandQueue, InjectAgent, InjectPost
from oasis.loop.commands import Interview as ApiInterview
from oasis.loop.herd_threads import HerdThreads
from oasis.loop.schedule import Schedule
from oasis.loop.step_inputs import active_users, candidate_posts, heuristic_batch, llm_contexts
from oasis.platform import FeedRecord, Platform
from oasis.recsys import Feeds, RecsysState, make_embedder, make_recommender
from oasis.recsys.recommender import Recommender

DEFAULT_START = datetime(2026, 1, 1)
RUN_FILE = "run.json"


@dataclass(frozen=True, slots=True)
class StepReport:
    """What one committed step did."""

    step: int
    active: int
    llm_active: int
    actions: int
    failed: int
    llm_requests: int
    llm_failures: int
    seconds: float


class Simulation:
    """A run of one experiment over one platform database."""

    def __init__(
        self,
        config: ExperimentConfig,
        platform: Platform,
        population: Population,
        pool: AgentPool,
        controller: CommandQueue | None = None,
    ) -> None:
        self.config = config
        self.controller = controller
        self.platform = platform
        self.pool = pool
        start = config.clock.start or population.start_time or DEFAULT_START
        self.clock = Clock(start, config.clock.minutes_per_step)
        self.schedule = Schedule(self.clock, population.posts, config.events)
        self.agent_ids = population.users["user_id"].to_numpy(np.int64)
        self.is_llm = llm_mask(config, self.agent_ids)
        self.hourly = _hourly(config, population)
        self.recommender: Recommender = make_recommender(
            config.recsys, make_embedder(config.recsys.embedder)
        )
        self.memories: dict[int, AgentMemory] = {}
        self.users = population.users.set_index("user_id", drop=False)
        herd = config.herd
        self.herd = (
            HerdThreads(load_counterfactual(herd.path), population.size, herd.threads)
            if herd is not None
            else None
        )
        self.next_step = 0

    @classmethod
    def open(
        cls,
        config: ExperimentConfig,
        *,
        resume: bool = False,
        controller: CommandQueue | None = None,
    ) -> Simulation:
        """Set up a run: a fresh database with the population, or the run found there (resume).

        A ``controller`` (the API's command queue) may pause the run and inject posts, agents
        and interviews; they take effect at the next step.
        """
        config.output.mkdir(parents=True, exist_ok=True)
        write_run_file(config)
        platform = Platform.open(config.database_url, config.platform)
        population = build_population(config.population, config.seed)
        info = platform.run_info()
        if info is not None and not resume:
            raise RunError(f"{config.database_url} already holds a run; use --resume")
        simulation = cls(
            config, platform, population, make_pool(config.worker_spec(), config.ray), controller
        )
        if info is None:
            platform.start_run(config.seed, config.model_dump(mode="json"))
            platform.load_population(population.users, population.follows, step=-1)
        simulation._restore()
        return simulation

    def run(self, on_step: Callable[[StepReport], None] | None = None) -> None:
        """Run the remaining steps, calling ``on_step`` after each commit."""
        self.platform.set_status("running")
        while self.next_step < self.config.steps:
            if self.controller is not None:
                while not self.controller.wait_while_paused(timeout=0.5):
                    pass
            report = self.step()
            if on_step is not None:
                on_step(report)
        self.platform.set_status("finished")

    def llm_in_flight(self) -> int:
        """LLM requests being answered right now; progress displays call it from their thread."""
        return self.pool.in_flight()

    def close(self) -> None:
        """Release the workers and the database."""
        self.pool.close()
        self.platform.close()

    def step(self) -> StepReport:
        """Run and commit the next step."""
        t, started = self.next_step, time.perf_counter()
        active = draw_active(self.config.seed, t, self.agent_ids, self._probability(t))
        now = self.clock.seconds(t)
        with self.platform.reader() as reader:
            candidates = candidate_posts(reader, t - self.config.candidate_window_steps)
            posts = candidates[0]
            users = active_users(reader, active, posts)
            rng = generator(self.config.seed, Stream.RECSYS, t)
            feeds = self.recommender.recommend(posts, users, now, rng)
            llm_ids, rule_ids = active[self.is_llm[active]], active[~self.is_llm[active]]
            label = self.clock.label(t)
            by_user = feeds.as_dict()  # read by both kinds of agent
            contexts = llm_contexts(
                reader, by_user, llm_ids, t, label, self._profiles(llm_ids), self.memories,
                self.config.platform.report_threshold,
            )  # fmt: skip
            topics = _topics(self.users.loc[rule_ids])
            state = self.recommender.state
            rules = heuristic_batch(reader, by_user, rule_ids, candidates, state, topics)
        decided = self.pool.decide(t, contexts, rules)
        commands = self.controller.drain() if self.controller is not None else []
        threads = self.herd.actions(t, self.platform) if self.herd is not None else []
        scheduled = self.schedule.actions(t) + threads + self._injected(commands)
        actions = [
            *scheduled,
            *(a for agent_actions in decided.llm for a in agent_actions),
            *(a for agent_actions in decided.heuristic for a in agent_actions),
            *self._interviews(t, commands),
        ]
        metrics: dict[str, Any] = {
            "active": len(active),
            "llm_active": len(llm_ids),
            **asdict(decided.stats),
        }
        if decided.shards:
            metrics["shards"] = [asdict(usage) for usage in decided.shards]
        with self.platform.step(t, now) as tx:
            results = tx.apply(actions)
            memories = new_memories(contexts, actions, results, len(scheduled))
            tx.save_memories({agent: memory_to_dict(m) for agent, m in memories.items()})
            tx.save_metrics(metrics | {"decide_s": round(time.perf_counter() - started, 4)})
            tx.save_feeds(FeedRecord(feeds.user_id, feeds.indptr, feeds.post_id))
        self.memories.update(memories)
        self._advance(t, feeds)
        return StepReport(
            t, len(active), len(llm_ids), len(actions), sum(not r.ok for r in results),
            decided.stats.requests, decided.stats.failures, time.perf_counter() - started,
        )  # fmt: skip

    def _probability(self, step: int) -> np.ndarray | float:
        if self.hourly is None:
            return self.config.activation.probability
        return self.hourly[:, self.clock.hour(step)]

    def _profiles(self, ids: np.ndarray) -> dict[int, Profile]:
        rows = self.users.loc[ids]
        return {
            int(r.user_id): Profile(
                int(r.user_id), str(r.user_name), str(r.name), str(r.bio), str(r.persona),
                tuple(map(str, r.interests if r.interests is not None else ())),
            )
            for r in rows.itertuples()
        }  # fmt: skip

    def herd_table(self) -> pd.DataFrame | None:
        """Each seed thread's first comment with its group and final votes (herd runs only)."""
        return self.herd.table(self.platform) if self.herd is not None else None

    def _injected(self, commands: Sequence[Command]) -> list[Action]:
        """Posts and sign-ups injected through the API; new agents get the next free ids."""
        actions, next_id = [], int(self.agent_ids.max(initial=-1)) + 1
        for command in commands:
            if isinstance(command, InjectPost):
                actions.append(
                    Action(command.user_id, ActionType.CREATE_POST, {"content": command.content})
                )
            elif isinstance(command, InjectAgent):
                args = {"user_name": command.user_name, "name": command.name, "bio": command.bio}
                actions.append(Action(next_id, ActionType.SIGN_UP, args))
                next_id += 1
        return actions

    def _interviews(self, step: int, commands: Sequence[Command]) -> list[Action]:
        """Scheduled and API interviews of the agents they name (all LLM agents by default)."""
        asked: list[Action] = []
        due: list[tuple[int | None, str, tuple[int, ...]]] = [
            (None, i.question, i.user_ids) for i in self.schedule.interviews(step)
        ]
        due += [
            (c.command_id, c.question, c.user_ids) for c in commands if isinstance(c, ApiInterview)
        ]
        for request_id, question, user_ids in due:
            ids = np.array(user_ids or self.agent_ids[self.is_llm], np.int64)
            ids = ids[np.isin(ids, self.agent_ids)]
            with self.platform.reader() as reader:
                contexts = llm_contexts(
                    reader, {}, ids, step, self.clock.label(step),
                    self._profiles(ids), self.memories, self.config.platform.report_threshold,
                )  # fmt: skip
            answers = self.pool.interview(contexts, question)
            if request_id is not None and self.controller is not None:
                replies = {a.agent_id: str(a.args.get("response", "")) for a in answers}
                self.controller.answer(request_id, replies)
            asked += answers
        return asked

    def _advance(self, step: int, feeds: Feeds) -> None:
        """Move the recommenders' state past a committed step (also used to replay on resume).

        Every ``candidate_window_steps`` steps, what was shown is forgotten for posts that can no
        longer be candidates, so that store stays as large as the window, not the run.
        """
        state: RecsysState = self.recommender.state
        window = self.config.candidate_window_steps
        with self.platform.reader() as reader:
            joined = reader.profiles(reader.users_created(step).tolist())
            post_ids, texts = reader.post_texts(step, step)
            state.add_posts(post_ids, texts)
            engaged = reader.engagement(step)
            due = (step + 1) % window == 0
            candidates = reader.post_table(step + 1 - window)["post_id"] if due else None
        if joined:
            self._add_agents(joined)
            ids = sorted(joined)
            texts = [_text(*(joined[u][k] for k in _PROFILE)) for u in ids]
            state.add_profiles(np.array(ids, np.int64), texts)
        state.record_shown(feeds)
        if candidates is not None:
            state.shown.retain_posts(candidates)
        state.observe_engagement(engaged["user_id"], engaged["post_id"])
        self.next_step = step + 1

    def _add_agents(self, profiles: Mapping[int, Mapping[str, Any]]) -> None:
        """Agents who signed up during the run join the population as heuristic agents."""
        new = pd.DataFrame(
            [{"user_id": u, **p, "interests": []} for u, p in sorted(profiles.items())]
        ).set_index("user_id", drop=False)
        self.users = pd.concat([self.users, new])
        self.agent_ids = np.concatenate([self.agent_ids, new["user_id"].to_numpy(np.int64)])
        self.is_llm = np.concatenate([self.is_llm, np.zeros(len(new), bool)])
        if self.hourly is not None:
            typical = np.repeat(self.hourly.mean(axis=0, keepdims=True), len(new), axis=0)
            self.hourly = np.concatenate([self.hourly, typical])

    def _restore(self) -> None:
        """Embed the population, then replay every committed step into the recommenders' state."""
        users = self.users
        texts = [
            _text(*parts)
            for parts in zip(users["name"], users["bio"], users["persona"], strict=True)
        ]
        self.recommender.state.add_profiles(self.agent_ids, texts)
        info = self.platform.run_info()
        last = -1 if info is None else info.last_step
        for step in range(last + 1):
            with self.platform.reader() as reader:
                logged = reader.feeds(step)
            assert logged is not None, f"step {step} is committed without its feed log"
            self._advance(step, Feeds(*logged))
        with self.platform.reader() as reader:
            saved = reader.memories(self.agent_ids[self.is_llm].tolist())
        self.memories = {u: memory_from_dict(m) for u, m in saved.items()}


def write_run_file(config: ExperimentConfig) -> None:
    """Note in the results folder where its database is, so the folder names the run.

    A password in the URL is not written; such a parent is named by its URL instead.
    """
    url, password = config.database_url, urlsplit(config.database_url).password
    if password:
        url = url.replace(f":{password}@", ":***@", 1)
    text = json.dumps({"name": config.name, "database_url": url}, indent=1)
    (config.output / RUN_FILE).write_text(text + "\n")


def new_memories(
    contexts: Sequence[AgentContext],
    actions: Sequence[Action],
    results: Sequence[ActionResult],
    offset: int,
) -> dict[int, AgentMemory]:
    """The LLM agents' memories after a step: each remembers its own actions and their results.

    ``actions[offset:]`` are the agents' own (the scheduled ones come first).
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


def llm_mask(config: ExperimentConfig, agent_ids: np.ndarray) -> np.ndarray:
    """Which agents an LLM plays: none without endpoints, else the listed and a seeded share."""
    if not config.llm.endpoints:
        return np.zeros(len(agent_ids), bool)
    drawn = uniform(config.seed, Stream.POPULATION, 0, agent_ids)[:, 0] < config.policy.llm_share
    return drawn | np.isin(agent_ids, config.policy.llm_agents)


def _hourly(config: ExperimentConfig, population: Population) -> np.ndarray | None:
    if config.activation.kind == "uniform":
        return None
    if population.activity is None:
        raise RunError("activation 'profile' needs hourly activity, which this population lacks")
    return hourly_probabilities(population.activity)


def _topics(users: pd.DataFrame) -> list[str]:
    """What each of ``users`` writes about: its interests, else the start of its bio.

    Worked out for the step's active agents only, so idle agents cost no memory for it.
    """
    return [
        ", ".join(map(str, interests))
        if interests is not None and len(interests)
        else str(bio)[:60]
        for interests, bio in zip(users["interests"], users["bio"], strict=True)
    ]


_PROFILE = ("name", "bio", "persona")


def _text(name: object, bio: object, persona: object) -> str:
    """The profile text that is embedded: name, bio and persona."""
    return " ".join(str(part or "") for part in (name, bio, persona)).strip()
