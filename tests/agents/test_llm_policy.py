from __future__ import annotations

import json
import pickle

import pytest

from oasis.agents.llm.client import OpenAIChatClient
from oasis.agents.llm.policy import LLMPolicy, request_seeds
from oasis.agents.policy import PolicyContractError, check_decisions, check_policy
from oasis.core.actions import Action, ActionType
from oasis.testing.replies import Reply, always, fail_first, malformed_for
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import make_context

from .conftest import ALLOWED


def policy(server, **kw):
    client = OpenAIChatClient([server.base_url], "scripted", max_retries=1, backoff_s=0.01)
    return LLMPolicy(client, "twitter", ALLOWED, **kw)


def test_decisions_follow_the_contract_and_use_one_request_per_agent(contexts):
    with ScriptedLLMServer() as server:
        p = policy(server, run_seed=5)
        decisions = check_policy(p, contexts)
        assert server.log.requests == len(contexts)
        bodies = sorted(server.log.bodies, key=lambda b: int(b["user"]))
    assert any(a.type is not ActionType.DO_NOTHING for d in decisions for a in d)
    assert not any("raw" in a.args for d in decisions for a in d)
    assert len({json.dumps(b["messages"][0]) for b in bodies}) == 1
    assert [b["seed"] for b in bodies] == request_seeds(5, 3, range(len(contexts)))
    assert bodies[0]["response_format"] == p.response_format_for(contexts[0].observation)
    stats = p.take_stats()
    assert (stats.requests, stats.failures, stats.invalid_outputs) == (len(contexts), 0, 0)


def test_garbage_becomes_do_nothing_with_the_raw_text(contexts):
    with ScriptedLLMServer(malformed_for({1, 4}, "garbage")) as server:
        p = policy(server)
        decisions = check_policy(p, contexts)
    for i in (1, 4):
        assert decisions[i] == [
            Action(
                i,
                ActionType.DO_NOTHING,
                {"raw": "Sure! I would like to }{ like post 3 maybe ```not json"},
            )
        ]
    assert p.take_stats().invalid_outputs == 2


def test_failed_requests_become_do_nothing(contexts):
    with ScriptedLLMServer(fail_first(5, Reply(status=500))) as server:
        p = policy(server)
        decisions = check_policy(p, contexts)
    assert all(
        d == [Action(i, ActionType.DO_NOTHING, {"raw": "error: http_500"})]
        for i, d in enumerate(decisions)
    )
    stats = p.take_stats()
    assert (stats.failures, stats.invalid_outputs, stats.retries) == (6, 0, 6)


def test_tool_call_mode(contexts):
    with ScriptedLLMServer() as server:
        p = policy(server, tools=True)
        decisions = check_policy(p, contexts)
        body = server.log.bodies[0]
    assert "response_format" not in body and len(body["tools"]) == len(ALLOWED)
    assert body["tool_choice"] == "required"
    assert all(len(d) == 1 and "raw" not in d[0].args for d in decisions)


def test_interview_records_question_and_answers(contexts):
    with ScriptedLLMServer(fail_first(2, Reply(status=400))) as server:
        p = policy(server)
        # the first two requests of every agent fail: 400 is not retried
        first = p.interview(contexts[:2], "Who do you trust?")
        second = p.interview(contexts[:2], "Who do you trust?")
        third = p.interview(contexts[:2], "Who do you trust?")
        body = server.log.bodies[-1]
    assert first == [
        Action(i, ActionType.INTERVIEW, {"prompt": "Who do you trust?"}) for i in (0, 1)
    ]
    assert second == first
    assert all(a.args["response"].startswith("I think") for a in third)
    assert "response_format" not in body and "tools" not in body
    assert body["messages"][1]["content"].endswith("Interviewer: Who do you trust?")


def test_request_seeds_depend_on_run_step_agent_and_purpose():
    seeds = {
        seed
        for r in range(3)
        for s in range(3)
        for p in (0, 1)
        for seed in request_seeds(r, s, [0, 1, 2], p)
    }
    assert len(seeds) == 54
    assert request_seeds(1, 2, [3, 4]) == request_seeds(1, 2, [3, 4])
    assert request_seeds(1, 2, [4, 3]) == request_seeds(1, 2, [3, 4])[::-1]
    assert all(0 <= s < 2**31 for s in seeds)


def test_same_answers_give_same_decisions(contexts):
    with ScriptedLLMServer() as server:
        a = policy(server, run_seed=1).decide(contexts)
        b = policy(server, run_seed=1).decide(contexts)
        c = policy(server, run_seed=2).decide(contexts)
    assert a == b and a != c


def test_check_decisions_catches_broken_policies():
    ctx = [make_context(0), make_context(1)]
    ok = [[Action(0, ActionType.DO_NOTHING)], [Action(1, ActionType.LIKE_POST, {"post_id": 1})]]
    check_decisions(ctx, ok)
    broken = [
        ok[:1],
        [ok[0], []],
        [ok[0], [Action(0, ActionType.DO_NOTHING)]],
        [ok[0], [Action(1, ActionType.LIKE_POST, {})]],
        [ok[0], ["like"]],
        [ok[0], [Action(1, "like_post", {"post_id": 1})]],
    ]
    for decisions in broken:
        with pytest.raises(PolicyContractError):
            check_decisions(ctx, decisions)


def test_always_bad_json_counts_every_agent(contexts):
    with ScriptedLLMServer(always(Reply(text="{"))) as server:
        p = policy(server)
        decisions = p.decide(contexts)
    assert all(d[0].args == {"raw": "{"} for d in decisions)
    assert p.take_stats().invalid_outputs == len(contexts)


def test_policy_and_client_pickle_for_ray_actors(contexts):
    with ScriptedLLMServer() as server:
        p = pickle.loads(pickle.dumps(policy(server)))
        check_policy(p, contexts[:2])
