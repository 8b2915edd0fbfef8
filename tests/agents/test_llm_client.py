"""The LLM client against the scripted server over real HTTP: errors come back as data."""

from __future__ import annotations

import asyncio
import json

import pytest

from oasis.agents.llm.action_schema import action_tools, response_format
from oasis.agents.llm.chat import ChatRequest, ChatResult, LLMStats, check_llm_client
from oasis.agents.llm.client import OpenAIChatClient, complete_sync
from oasis.core.actions import ActionType
from oasis.testing.replies import (
    Reply,
    agent_id_of,
    always,
    fail_first,
    malformed_for,
    with_latency,
)
from oasis.testing.scripted_llm import ScriptedLLMServer

FORMAT = response_format([ActionType.LIKE_POST, ActionType.CREATE_POST], 2)


def requests(n, fmt=FORMAT, tools=None):
    msgs = [{"role": "system", "content": "rules"}, {"role": "user", "content": "what now?"}]
    return [ChatRequest(i, msgs, fmt, tools, max_tokens=64, seed=100 + i) for i in range(n)]


def client(*servers, **kw):
    kw = {"timeout_s": 5.0, "max_retries": 2, "backoff_s": 0.01, "max_concurrency": 8} | kw
    return OpenAIChatClient([s.base_url for s in servers], "scripted", **kw)


def run(c, reqs):
    return asyncio.run(check_llm_client(c, reqs))


def test_success_is_aligned_and_counted():
    with ScriptedLLMServer() as server:
        c = client(server)
        results = run(c, requests(10))
        assert all(r.error is None and r.attempts == 1 for r in results)
        assert all("actions" in json.loads(r.text) for r in results)
        assert sorted(agent_id_of(b) for b in server.log.bodies) == list(range(10))
        body = server.log.bodies[0]
        assert body["response_format"] == FORMAT and body["seed"] in range(100, 110)
        assert body["max_tokens"] == 64 and body["model"] == "scripted"
        stats = c.take_stats()
    assert stats.requests == 10 and stats.failures == 0 and stats.retries == 0
    assert c.take_stats() == LLMStats()


def test_token_counts_are_the_servers():
    with ScriptedLLMServer() as server:
        c = client(server)
        results = run(c, requests(3))
    # The scripted server reports chars // 4 + 1 of the message contents as prompt tokens.
    assert [r.prompt_tokens for r in results] == [len("rules" + "what now?") // 4 + 1] * 3
    assert all(r.completion_tokens > 0 for r in results)
    stats = c.take_stats()
    assert stats.prompt_tokens == sum(r.prompt_tokens for r in results)
    assert stats.completion_tokens == sum(r.completion_tokens for r in results)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_retryable_status_then_success(status):
    with ScriptedLLMServer(fail_first(1, Reply(status=status))) as server:
        c = client(server)
        results = run(c, requests(5))
        assert server.log.requests == 10
    assert all(r.error is None and r.attempts == 2 for r in results)
    # The server reports the prompt's repeated prefix as cached (prefix_cached_tokens).
    cached = sum(r.prefix_cached_tokens for r in results)
    assert c.take_stats() == LLMStats(5, 0, 5, *_tokens(results), prefix_cached_tokens=cached)


def test_persistent_500s_fail_as_data_after_the_retries():
    with ScriptedLLMServer(fail_first(10, Reply(status=500))) as server:
        c = client(server, max_retries=2)
        results = run(c, requests(4))
        assert server.log.requests == 12
    assert [r.error for r in results] == ["http_500"] * 4
    assert all(r.attempts == 3 and r.text is None for r in results)
    assert c.take_stats() == LLMStats(requests=4, failures=4, retries=8)


def test_client_errors_are_not_retried():
    with ScriptedLLMServer(always(Reply(status=400))) as server:
        results = run(client(server), requests(3))
        assert server.log.requests == 3
    assert [(r.error, r.attempts) for r in results] == [("http_400", 1)] * 3


def test_timeout_then_success():
    with ScriptedLLMServer(fail_first(1, Reply(delay_s=3.0))) as server:
        results = run(client(server, timeout_s=0.3), requests(3))
    assert all(r.error is None and r.attempts == 2 for r in results)


def test_persistent_timeouts_fail_as_data():
    with ScriptedLLMServer(always(Reply(delay_s=3.0))) as server:
        results = run(client(server, timeout_s=0.2, max_retries=1), requests(3))
    assert [(r.error, r.attempts) for r in results] == [("timeout", 2)] * 3


def test_connection_refused_fails_as_data():
    with ScriptedLLMServer() as server:
        url = server.base_url
    c = OpenAIChatClient([url], "m", max_retries=1, backoff_s=0.01, timeout_s=2)
    results = run(c, requests(2))
    assert [(r.error, r.attempts) for r in results] == [("connection_error", 2)] * 2


def test_garbage_bodies_fail_as_data_and_the_batch_completes():
    with ScriptedLLMServer(malformed_for({1, 3}, "body")) as server:
        c = client(server, max_retries=1)
        results = run(c, requests(5))
    assert [r.error is None for r in results] == [True, False, True, False, True]
    assert results[1].error.startswith("bad_response")
    assert c.take_stats().failures == 2


def test_garbage_and_truncated_content_come_back_as_text():
    responder = malformed_for({0}, "garbage", malformed_for({1}, "truncated"))
    with ScriptedLLMServer(responder) as server:
        results = run(client(server), requests(3))
    assert all(r.error is None for r in results)
    for r in results[:2]:
        with pytest.raises(json.JSONDecodeError):
            json.loads(r.text)
    json.loads(results[2].text)


def test_tool_calls_come_back():
    tools = action_tools([ActionType.LIKE_POST])
    with ScriptedLLMServer() as server:
        results = run(client(server), requests(2, fmt=None, tools=tools))
        assert server.log.bodies[0]["tools"] == tools
    for r in results:
        assert r.text is None and [t.name for t in r.tool_calls] == ["like_post"]
        assert "post_id" in json.loads(r.tool_calls[0].arguments)


def test_concurrency_bound_is_respected_per_endpoint():
    with (
        ScriptedLLMServer(with_latency(0.2)) as a,
        ScriptedLLMServer(with_latency(0.2)) as b,
    ):
        results = run(client(a, b, max_concurrency=3), requests(24))
        assert a.log.requests == b.log.requests == 12
        assert a.log.max_in_flight == 3 and b.log.max_in_flight == 3
    assert all(r.error is None for r in results)


def test_in_flight_counts_the_requests_on_the_wire():
    with ScriptedLLMServer(with_latency(0.2)) as server:
        c = client(server, max_concurrency=4)
        seen = []

        async def watch():
            batch = asyncio.ensure_future(c.complete(requests(10)))
            while not batch.done():
                seen.append(c.in_flight)
                await asyncio.sleep(0.01)
            return await batch

        results = asyncio.run(watch())
    assert all(r.error is None for r in results)
    assert max(seen) == 4 and c.in_flight == 0


def test_each_agent_keeps_to_one_endpoint_across_calls():
    with ScriptedLLMServer() as a, ScriptedLLMServer() as b:
        c = client(a, b)
        for _ in range(3):
            complete_sync(c, requests(7))  # a fresh event loop each time
        assert set(a.log.agent_ids()) == {0, 2, 4, 6}
        assert set(b.log.agent_ids()) == {1, 3, 5}
        assert a.log.requests == 12 and b.log.requests == 9
    assert c.endpoint_of(5) == 1


def test_empty_batch():
    with ScriptedLLMServer() as server:
        assert run(client(server), []) == []


def test_stats_add_up():
    one = LLMStats.of([ChatResult(1, "x", prompt_tokens=3, completion_tokens=2, attempts=3)])
    two = LLMStats.of([ChatResult(2, error="timeout", attempts=1)])
    assert one + two == LLMStats(
        requests=2, failures=1, retries=2, prompt_tokens=3, completion_tokens=2
    )


def test_needs_an_endpoint():
    with pytest.raises(ValueError):
        OpenAIChatClient([], "m")


def _tokens(results):
    return sum(r.prompt_tokens for r in results), sum(r.completion_tokens for r in results)
