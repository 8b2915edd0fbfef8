"""A step's interviews: who is asked, their answers, and the stances the answers give.

Interviews are asked before the step's decisions, so the LLM usage the step reports includes
theirs. LLM agents answer in text through the agent pool, scored by the configured stance
scorer (made when first needed); heuristic agents answer with their stance (with opinions
configured; without, only LLM agents are asked).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from oasis.agents.llm.chat import LLMStats
from oasis.agents.opinions.stance_scorer import StanceScorer, make_stance_scorer
from oasis.agents.policy import AgentContext
from oasis.agents.shards.pool import AgentPool
from oasis.config import ExperimentConfig
from oasis.core.actions import Action
from oasis.loop.commands import CommandSource
from oasis.loop.events import Interview
from oasis.loop.roster import Roster
from oasis.loop.stance_book import StanceBook, merge, score_answers
from oasis.platform import StanceRecord

Contexts = Callable[[np.ndarray, int], list[AgentContext]]
"""What agents ``ids`` see at ``step`` without a feed: profile, memory, observation."""


class Interviewer:
    """Asks a step's interviews, hands API askers their answers, scores the LLM agents'.

    ``contexts`` gives what the asked LLM agents see (their profile, memory and observation).
    """

    def __init__(
        self,
        config: ExperimentConfig,
        roster: Roster,
        stances: StanceBook | None,
        controller: CommandSource | None,
        contexts: Contexts,
    ) -> None:
        self.config, self.roster = config, roster
        self.stances, self.controller, self.contexts = stances, controller, contexts
        self._scorer: StanceScorer | None = None

    def ask(
        self, step: int, interviews: Sequence[Interview], pool: AgentPool
    ) -> tuple[list[Action], StanceRecord]:
        """Every interview's answers, and the stances the answers give.

        By default every agent is asked; an API interview of heuristic agents is refused
        without opinions configured (the heuristic policy has no words to answer with).
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
                continue
            answers, stances = self._ask(step, interview, pool)
            if interview.command_id is not None and self.controller is not None:
                replies = {a.agent_id: str(a.args.get("response", "")) for a in answers}
                self.controller.answer(interview.command_id, replies)
            asked += answers
            scored.append(stances)
        return asked, merge(*scored)

    def take_stats(self) -> LLMStats:
        """The stance judge's LLM usage since last taken (none before it is first needed)."""
        return self._scorer.take_stats() if self._scorer is not None else LLMStats()

    def _ask(
        self, step: int, interview: Interview, pool: AgentPool
    ) -> tuple[list[Action], StanceRecord]:
        """One interview's answers: LLM agents through the pool (scored), others by stance."""
        roster = self.roster
        everyone = roster.agent_ids if self.stances is not None else roster.llm_ids
        ids = np.array(interview.user_ids or everyone, np.int64)
        ids = ids[np.isin(ids, roster.agent_ids)]
        # Without stances an agent named explicitly is asked through the pool, as before.
        llm = ids if self.stances is None else ids[np.isin(ids, roster.llm_ids)]
        seen = self.contexts(llm, step)
        answers = pool.interview(seen, interview.question) if len(llm) else []
        stances = StanceRecord(np.empty(0, np.int64), np.empty(0))
        if answers:
            answers, stances = score_answers(self._stance_scorer(), interview.question, answers)
        if self.stances is not None:
            answers += self.stances.answers(ids[~np.isin(ids, llm)], interview.question)
        return answers, stances

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
