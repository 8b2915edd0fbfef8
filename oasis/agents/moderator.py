"""A rule-based moderator, the shipped example of a custom policy (``policy.custom``).

Named in an experiment as ``oasis.agents.moderator:WordModerator`` with ``options: {word: ...}``.
Each step it reports every post it can see whose text contains the word: the posts of its feed
and the hits of its last search; then it searches for the word again, so the hits come back to
it at the next step. It keeps the ids it reported, so it reports each post once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from oasis.agents.policy import AgentContext
from oasis.core.actions import Action, ActionType

_HIT = re.compile(r"^\s+\* post (\d+) by user \d+: (.*)$")


class WordModerator:
    """Reports every post containing ``word`` (case-insensitive) that it sees.

    Args:
        word: What to look for.
        reason: The report's reason.
    """

    def __init__(self, word: str, reason: str = "contains a flagged word") -> None:
        self.word = word.lower()
        self.reason = reason
        self.reported: set[int] = set()

    def decide(self, agents: Sequence[AgentContext]) -> list[list[Action]]:
        """For each moderator: a report per new matching post, then a search for the word."""
        return [self._act(ctx) for ctx in agents]

    def _act(self, ctx: AgentContext) -> list[Action]:
        agent = ctx.profile.agent_id
        seen: list[tuple[int, str]] = []
        for p in ctx.observation.feed:
            seen.append((p.post_id, p.content))
            if p.quoted_content is not None and p.original_post_id is not None:
                seen.append((p.original_post_id, p.quoted_content))  # the quoted post itself
        for line in ctx.observation.search_results:
            if match := _HIT.match(line):
                seen.append((int(match.group(1)), match.group(2)))
        actions = []
        for post_id, text in sorted(seen):
            if self.word in text.lower() and post_id not in self.reported:
                self.reported.add(post_id)
                args = {"post_id": post_id, "report_reason": self.reason}
                actions.append(Action(agent, ActionType.REPORT_POST, args))
        actions.append(Action(agent, ActionType.SEARCH_POSTS, {"query": self.word}))
        return actions
