"""Against a real `vllm serve` (deselected by default): OASIS_VLLM_URL=http://host:8000/v1 and
OASIS_VLLM_MODEL=<served model name>, then `pytest -m gpu tests/agents/test_vllm.py`."""

from __future__ import annotations

import os

import pytest

from oasis.agents.llm.client import OpenAIChatClient
from oasis.agents.llm.policy import LLMPolicy
from oasis.agents.policy import check_policy
from tests.factories import make_context

from .conftest import ALLOWED

pytestmark = pytest.mark.gpu


@pytest.fixture
def vllm_client():
    url, model = os.environ.get("OASIS_VLLM_URL"), os.environ.get("OASIS_VLLM_MODEL")
    if not url or not model:
        pytest.skip("OASIS_VLLM_URL and OASIS_VLLM_MODEL are not set")
    return OpenAIChatClient([url], model, timeout_s=120, max_retries=1)


def test_structured_output_always_parses(vllm_client):
    policy = LLMPolicy(vllm_client, "twitter", ALLOWED, run_seed=3)
    agents = [make_context(i) for i in range(8)]
    check_policy(policy, agents)
    stats = policy.take_stats()
    assert stats.failures == 0 and stats.invalid_outputs == 0
    assert stats.prompt_tokens > 0 and stats.completion_tokens > 0


def test_interview_answers(vllm_client):
    policy = LLMPolicy(vllm_client, "reddit", ALLOWED)
    answers = policy.interview([make_context(1)], "What do you think of the sky being green?")
    assert answers[0].args["response"].strip()
