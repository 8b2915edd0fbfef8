"""Stance scorers: an LLM judge over HTTP (the scripted server) under a JSON schema, a lexicon."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import jsonschema
import pytest

from oasis.agents.llm.client import OpenAIChatClient
from oasis.agents.opinions.settings import ScorerSettings, StanceScale
from oasis.agents.opinions.stance_scorer import (
    LexicalScorer,
    LLMStanceScorer,
    make_stance_scorer,
    stance_answer,
)
from oasis.testing.replies import Reply
from oasis.testing.scripted_llm import ScriptedLLMServer

SCALE = StanceScale(low=1, high=7, low_label="play it safe", high_label="take the risk")


def judge(request: Mapping[str, Any]) -> Reply:
    """Rates on the 1..7 scale by keywords; answers outside the schema for 'garble'."""
    prompt = request["messages"][-1]["content"]
    answer = prompt.split("Answer: ", 1)[1].split("\n\n", 1)[0]
    if "garble" in answer:
        return Reply(text="seven, I think")
    if "off the scale" in answer:
        return Reply(text=json.dumps({"score": 12}))
    score = 7 if "take the risk" in answer else 1 if "safe" in answer else 4
    return Reply(text=json.dumps({"score": score}))


def test_the_llm_judge_rates_answers_on_the_question_scale() -> None:
    answers = [
        (0, "She should take the risk."),
        (1, "Better play it safe."),
        (2, "Hard to say."),
        (3, "garble"),
        (4, "off the scale"),
    ]
    with ScriptedLLMServer(judge) as server:
        client = OpenAIChatClient([server.base_url], "judge", max_retries=0)
        scorer = LLMStanceScorer(client, SCALE)
        scores = asyncio.run(scorer.ascore("Should Helen take the risk?", answers))
        bodies = list(server.log.bodies)
    assert scores == [1.0, -1.0, 0.0, None, None]
    assert scorer.stats.requests == 5 and scorer.stats.invalid_outputs == 2
    assert scorer.stats.prompt_tokens > 0
    schema = bodies[0]["response_format"]["json_schema"]["schema"]
    jsonschema.validate({"score": 6.5}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"score": 8}, schema)
    assert "from 1 (play it safe) to 7 (take the risk)" in bodies[0]["messages"][-1]["content"]
    assert "Should Helen take the risk?" in bodies[0]["messages"][-1]["content"]


def test_the_lexical_scorer_is_configured_not_coded() -> None:
    scorer = make_stance_scorer(
        ScorerSettings(kind="lexical", positive=("go for it", "risk"), negative=("safe",)),
        SCALE, (), "none",
    )  # fmt: skip
    assert isinstance(scorer, LexicalScorer)
    texts = [
        (0, "Go for it, the risk is worth it"),
        (1, "Stay safe"),
        (2, "risk but safe"),
        (3, ""),
    ]
    assert asyncio.run(scorer.ascore("any question", texts)) == [1.0, -1.0, 0.0, 0.0]


def test_an_llm_judge_needs_an_endpoint() -> None:
    with pytest.raises(ValueError, match="needs endpoints"):
        make_stance_scorer(ScorerSettings(), SCALE, (), "m")


def test_heuristic_answers_carry_the_stance_on_the_scale() -> None:
    assert (
        stance_answer(1.0, SCALE)
        == "I lean strongly toward take the risk: 7.00 on a scale from 1 to 7."
    )
    assert stance_answer(-0.5, SCALE).startswith("I lean toward play it safe: 2.50")
    assert stance_answer(0.0, SCALE).startswith("I am undecided")
    assert SCALE.to_stance(SCALE.from_stance(0.3)) == pytest.approx(0.3)
