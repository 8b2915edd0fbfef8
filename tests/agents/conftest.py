"""The actions LLM agents may take in these tests, and six agents' contexts."""

from __future__ import annotations

import pytest

from oasis.agents.policy import AgentContext
from oasis.core.actions import ActionType
from tests.factories import make_context

ALLOWED = (
    ActionType.CREATE_POST,
    ActionType.LIKE_POST,
    ActionType.REPOST,
    ActionType.QUOTE_POST,
    ActionType.CREATE_COMMENT,
    ActionType.FOLLOW,
    ActionType.DO_NOTHING,
)


@pytest.fixture
def contexts() -> list[AgentContext]:
    return [make_context(i) for i in range(6)]
