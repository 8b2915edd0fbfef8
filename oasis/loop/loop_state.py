"""What the loop keeps in memory between steps, and how a committed step moves it.

The roster, the recommenders' state, the stances, the agents' memories, the people present and
the step state (follow graph, counters, candidate posts) move only after a step committed. A
resumed run rebuilds them by replaying its committed steps through the same :meth:`advance`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.memory import AgentMemory, memory_from_dict, remember
from oasis.agents.policy import AgentContext
from oasis.core.actions import Action, ActionResult
from oasis.loop.people import KINDS as PERSON_KINDS
from oasis.loop.people import People
from oasis.loop.roster import PROFILE_KEYS, Roster, profile_text
from oasis.loop.stance_book import StanceBook, merge
from oasis.loop.step_state import StepState, engagement
from oasis.platform import Platform, StanceRecord, StepChanges
from oasis.platform.reader import Reader
from oasis.recsys import Feeds, RecsysState
from oasis.recsys.recommender import Recommender


class LoopState:
    """The loop's state between steps.

    Args:
        roster: the agents (agents who join are added to it).
        recommender: the recommender, whose state follows posts, feeds and engagement.
        stances: the agents' stances, or None without opinions.
        window: the candidate window (``candidate_window_hours``) in whole steps.
    """

    def __init__(
        self, roster: Roster, recommender: Recommender, stances: StanceBook | None, window: int
    ) -> None:
        self.roster, self.recommender, self.stances = roster, recommender, stances
        self.window = window
        self.memories: dict[int, AgentMemory] = {}
        self.people = People()
        self.step_state: StepState | None = None  # loaded once the run is written
        self.next_step = 0

    def past(self, reader: Reader, since_step: int) -> StepState:
        """The follow graph, counters and candidate posts: read once, then moved by each step."""
        if self.step_state is None:
            self.step_state = StepState.load(reader, since_step)
        return self.step_state

    def moved(self, rules: HeuristicBatch, scored: StanceRecord) -> StanceRecord | None:
        """The stances a step changes: what heuristic agents read, LLM answers' scores."""
        if self.stances is None:
            return None
        return merge(self.stances.after_reading(rules), scored)

    def advance(
        self, platform: Platform, step: int, feeds: Feeds, changes: StepChanges | None = None
    ) -> None:
        """Move the state past a committed step (also used to replay on resume).

        A step just run gives its ``changes``, which also move the step state; a replayed one
        is read back from the database. Every candidate window (``candidate_window_hours`` in
        steps), what was shown and the vectors are forgotten for posts that can no longer be
        candidates, so those stores stay as large as the window, not the run; an older post
        liked or shared is embedded again. The next step's candidates are placed in the
        recommender's IVF lists, moved to them (``state.lists``).
        """
        state: RecsysState = self.recommender.state
        due, since = (step + 1) % self.window == 0, step + 1 - self.window
        kept = self.step_state if changes is not None else None  # a step just run moves it
        with platform.reader() as reader:
            joined_ids = reader.users_created(step) if changes is None else changes.new_users
            joined = reader.profiles(joined_ids.tolist())
            post_ids, texts = reader.post_texts(step, step)
            state.add_posts(post_ids, texts)
            engaged = reader.engagement(step) if changes is None else engagement(changes)
            unembedded = state.unembedded_posts(engaged["post_id"])
            if unembedded.size:
                state.add_posts(*reader.texts_of_posts(unembedded.tolist()))
            wanted = kept is None and (due or state.lists is not None)
            candidates = reader.post_table(since, step)["post_id"] if wanted else None
        if joined:
            self._join(joined)
        state.record_shown(feeds)
        state.observe_engagement(engaged["user_id"], engaged["post_id"])
        if kept is not None and changes is not None:
            kept.apply(changes)
            candidates = kept.candidates(since)[0].post_id
        if candidates is not None:
            if due:
                state.retain_posts(candidates)
            state.place_candidates(candidates)
        self.next_step = step + 1

    def restore(self, platform: Platform, observed: np.ndarray) -> None:
        """Embed the population, then replay every committed step; read memories and stances.

        ``observed``: the agents that keep memories (LLM and custom-policy ones).
        """
        roster = self.roster
        self.recommender.state.add_profiles(roster.agent_ids, roster.texts())
        info = platform.run_info()
        last = -1 if info is None else info.last_step
        for step in range(last + 1):
            with platform.reader() as reader:
                logged = reader.feeds(step)
            assert logged is not None, f"step {step} is committed without its feed log"
            self.advance(platform, step, Feeds(*logged))
        with platform.reader() as reader:
            saved = reader.memories(np.union1d(roster.llm_ids, observed).tolist())
            if self.stances is not None:
                self.stances.restore(reader.stances(roster.agent_ids.tolist()))
        self.memories = {u: memory_from_dict(m) for u, m in saved.items()}
        self.people.restore(platform.commands().recorded(PERSON_KINDS, last))

    def _join(self, joined: Mapping[int, Mapping[str, Any]]) -> None:
        """Agents who signed up: into the roster, the stances and the recommenders' profiles."""
        self.roster.join(joined)
        ids = sorted(joined)
        if self.stances is not None:
            self.stances.add_agents(np.array(ids, np.int64))
        texts = [profile_text(*(joined[u][k] for k in PROFILE_KEYS)) for u in ids]
        self.recommender.state.add_profiles(np.array(ids, np.int64), texts)


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
