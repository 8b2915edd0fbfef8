"""The exact answer cache: identical requests are answered from it, anything else is asked."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

from oasis.agents.llm.answer_cache import AnswerCache, CachedChatClient, request_key
from oasis.agents.llm.chat import ChatRequest, LLMStats, check_llm_client
from oasis.agents.llm.client import OpenAIChatClient
from oasis.testing.replies import Reply, fail_first
from oasis.testing.scripted_llm import ScriptedLLMServer


def requests(n, seed=100):
    msgs = [{"role": "system", "content": "rules"}, {"role": "user", "content": "what now?"}]
    return [ChatRequest(i, msgs, max_tokens=64, seed=seed + i) for i in range(n)]


def cached(server, folder, model="scripted", **kw):
    kw = {"timeout_s": 5.0, "max_retries": 0, "backoff_s": 0.01} | kw
    inner = OpenAIChatClient([server.base_url], model, **kw)
    return CachedChatClient(inner, AnswerCache(folder))


def run(client, reqs):
    return asyncio.run(check_llm_client(client, reqs))


def test_identical_requests_are_answered_from_the_cache_and_shared(tmp_path):
    with ScriptedLLMServer() as server:
        first = run(cached(server, tmp_path), requests(6))
        assert server.log.requests == 6
        again = run(cached(server, tmp_path), requests(6))  # a new writer: another run
        assert server.log.requests == 6
        assert [r.text for r in again] == [r.text for r in first]
        assert all(r.cached for r in again) and not any(r.cached for r in first)
        other_seed = run(cached(server, tmp_path), requests(6, seed=7))
        assert server.log.requests == 12 and not any(r.cached for r in other_seed)
    stats = LLMStats.of(again)
    assert stats.requests == 0 and stats.cache_hits == 6 and stats.prompt_tokens == 0
    assert stats.cached_tokens == sum(r.prompt_tokens + r.completion_tokens for r in first)


def test_the_key_covers_every_field_of_the_body():
    body = {"model": "m", "messages": [{"role": "user", "content": "x"}], "seed": 1}
    assert request_key(body) == request_key(dict(reversed(body.items())))
    for change in ({"model": "n"}, {"seed": 2}, {"temperature": 0.5}, {"messages": []}):
        assert request_key(body | change) != request_key(body)


def test_another_model_is_asked_not_answered_from_the_cache(tmp_path):
    with ScriptedLLMServer() as server:
        run(cached(server, tmp_path), requests(3))
        other = run(cached(server, tmp_path, model="another"), requests(3))
        assert server.log.requests == 6 and not any(r.cached for r in other)
        assert all(r.cached for r in run(cached(server, tmp_path, model="another"), requests(3)))


def test_failures_are_not_cached_and_a_cut_line_is_skipped(tmp_path):
    with ScriptedLLMServer(fail_first(1, Reply(status=500))) as server:
        client = cached(server, tmp_path)
        assert all(r.error is not None for r in run(client, requests(4)))
        assert all(r.error is None for r in run(client, requests(4)))
        assert server.log.requests == 8  # the failed ones were asked again
        run(client, requests(4))
        assert server.log.requests == 8
    shard = next(tmp_path.glob("answers-*.jsonl"))
    shard.write_bytes(shard.read_bytes() + b'{"key": "cut sho')
    assert len(AnswerCache(tmp_path)) == 4


def test_a_second_writer_sees_what_the_first_appended_since(tmp_path):
    with ScriptedLLMServer() as server:
        reader, writer = cached(server, tmp_path), cached(server, tmp_path)
        run(writer, requests(3))
        results = run(reader, requests(3))
        assert server.log.requests == 3 and all(r.cached for r in results)
        assert all(replace(r, cached=False).error is None for r in results)


def test_lines_of_valid_json_but_another_shape_are_skipped_and_counted(tmp_path):
    """Issue #25.5: such lines raised a traceback in the run; they are not answers."""
    good = {"key": "k", "text": "hi", "tool_calls": [], "prompt_tokens": 1, "completion_tokens": 2}
    bad = [
        {"foo": 1},
        [1, 2, 3],
        42,
        {**good, "key": "x", "tool_calls": "xy"},
        {**good, "key": "y", "text": 123},
    ]
    lines = [json.dumps(line) for line in [*bad, good]]
    (tmp_path / "answers-crafted.jsonl").write_text("\n".join(lines) + '\n{"key": "cut')
    cache = AnswerCache(tmp_path)
    assert len(cache) == 1 and cache.skipped == 5  # the cut line waits for its end of line
    assert cache.get("k", 7).text == "hi"
    assert cache.get("x", 7) is None and cache.get("y", 7) is None
