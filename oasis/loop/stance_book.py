"""The agents' stances during a run: where they start, what a step changes, interview answers.

The loop holds the current stances; a step's changes (what heuristic agents read, what LLM
agents' interview answers were scored at) go to the platform with the step's transaction and
are taken into the book only after it committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np
import pandas as pd

from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.opinions.dynamics import initial_stances, read_in_feed, update_stances
from oasis.agents.opinions.settings import InterviewSettings, OpinionSettings
from oasis.agents.opinions.stance_scorer import StanceScorer, stance_answer
from oasis.core.actions import Action, ActionType
from oasis.platform import StanceRecord


class StanceBook:
    """Current stances by agent id, and the step's pending changes."""

    def __init__(
        self,
        settings: OpinionSettings,
        interview: InterviewSettings,
        seed: int,
        agent_ids: np.ndarray,
        groups: np.ndarray | None,
    ) -> None:
        self.settings = settings
        self.interview = interview
        self.seed = seed
        start = initial_stances(settings, seed, agent_ids, groups)
        self.values = pd.Series(start, index=pd.Index(agent_ids, dtype=np.int64))

    def start(self) -> StanceRecord:
        """Every agent's starting stance, to store before the first step."""
        return StanceRecord(self.values.index.to_numpy(np.int64), self.values.to_numpy())

    def restore(self, saved: dict[int, float]) -> None:
        """Take the stances a database holds (a resumed run)."""
        known = [u for u in saved if u in self.values.index]
        self.values.loc[known] = [saved[u] for u in known]

    def add_agents(self, agent_ids: np.ndarray) -> StanceRecord:
        """Agents who joined during the run start from the ``initial`` distribution."""
        start = initial_stances(self.settings, self.seed, agent_ids, None)
        self.values = pd.concat([self.values, pd.Series(start, index=agent_ids)])
        return StanceRecord(agent_ids.astype(np.int64), start)

    def of(self, agent_ids: np.ndarray) -> np.ndarray:
        """The current stances of ``agent_ids``."""
        values: np.ndarray = self.values.loc[agent_ids].to_numpy(np.float64)
        return values

    def after_reading(self, batch: HeuristicBatch) -> StanceRecord:
        """The heuristic agents' stances after what they read this step (those that moved)."""
        assert batch.post_stances is not None, "the batch was built without stances"
        comments = batch.comment_stances if self.settings.read_comments else None
        indptr, read = read_in_feed(batch.indptr, batch.post_stances, comments)
        before = self.of(batch.agent_ids)
        after = update_stances(self.settings, before, indptr, read)
        moved = after != before
        return StanceRecord(batch.agent_ids[moved], after[moved])

    def answers(self, agent_ids: np.ndarray, question: str) -> list[Action]:
        """Heuristic agents' interview answers: a short text and the stance, on the scale."""
        scale = self.interview.scale
        return [
            Action(
                int(agent), ActionType.INTERVIEW,
                {"prompt": question, "response": stance_answer(s, scale), "stance": float(s)},
            )
            for agent, s in zip(agent_ids.tolist(), self.of(agent_ids).tolist(), strict=True)
        ]  # fmt: skip

    def commit(self, record: StanceRecord) -> None:
        """Take a committed step's changes."""
        self.values.loc[record.user_id] = record.stance


def score_answers(
    scorer: StanceScorer, question: str, answers: Sequence[Action]
) -> tuple[list[Action], StanceRecord]:
    """LLM agents' answers with their scored ``stance``, and those stances as a record."""
    given = [(i, a) for i, a in enumerate(answers) if a.args.get("response")]
    texts = [(a.agent_id, str(a.args["response"])) for _, a in given]
    scores = asyncio.run(scorer.ascore(question, texts)) if texts else []
    scored, ids, values = list(answers), [], []
    for (index, action), score in zip(given, scores, strict=True):
        if score is not None:
            scored[index] = Action(action.agent_id, action.type, {**action.args, "stance": score})
            ids.append(action.agent_id)
            values.append(score)
    return scored, StanceRecord(np.array(ids, np.int64), np.array(values, np.float64))


def merge(*records: StanceRecord) -> StanceRecord:
    """One record of several; a later record wins for an agent in more than one."""
    table = pd.concat([pd.Series(r.stance, index=r.user_id, dtype=np.float64) for r in records])
    last = table[~table.index.duplicated(keep="last")].sort_index()
    return StanceRecord(last.index.to_numpy(np.int64), last.to_numpy(np.float64))
