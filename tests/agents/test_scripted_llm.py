from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time

import httpx
import numpy as np
import pytest

from oasis.agents.llm.action_parser import parse_actions
from oasis.agents.llm.action_schema import response_format
from oasis.agents.llm.chat import ChatRequest, ChatResult, LLMClientContractError, check_llm_client
from oasis.core.actions import ActionType
from oasis.testing.replies import agent_id_of, default_reply
from oasis.testing.scripted_llm import ScriptedLLMServer

from .conftest import ALLOWED


def chat_body(user="3", **extra):
    body = {"model": "scripted", "messages": [{"role": "user", "content": "hi"}], "user": user}
    return body | extra


def test_models_and_chat_over_http():
    with ScriptedLLMServer(model="m1") as server:
        assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
        models = httpx.get(f"{server.base_url}/models").json()
        assert [m["id"] for m in models["data"]] == ["m1"]
        reply = httpx.post(f"{server.base_url}/chat/completions", json=chat_body()).json()
    assert reply["object"] == "chat.completion"
    assert reply["choices"][0]["message"]["content"].startswith("I think")
    assert reply["usage"]["total_tokens"] == (
        reply["usage"]["prompt_tokens"] + reply["usage"]["completion_tokens"]
    )


def test_default_reply_honours_the_schema_and_is_deterministic():
    fmt = response_format(ALLOWED, 3)
    for user in range(30):
        body = chat_body(str(user), response_format=fmt)
        text = default_reply(body).text
        assert text == default_reply(json.loads(json.dumps(body))).text
        _, reason = parse_actions(user, text, ALLOWED, 3)
        assert reason is None
    texts = {default_reply(chat_body(str(u), response_format=fmt)).text for u in range(30)}
    assert len(texts) > 10


def test_json_object_format():
    reply = default_reply(chat_body(response_format={"type": "json_object"}))
    assert isinstance(json.loads(reply.text), dict)


def test_agent_id_comes_from_user():
    assert agent_id_of({"user": "42"}) == 42
    assert agent_id_of({"user": "bob"}) is None
    assert agent_id_of({}) is None


def test_embeddings_are_deterministic_unit_vectors():
    with ScriptedLLMServer() as server:
        body = {"model": "scripted", "input": ["a", "b", "a"], "dimensions": 16}
        data = httpx.post(f"{server.base_url}/embeddings", json=body).json()["data"]
    vecs = np.array([d["embedding"] for d in data])
    assert vecs.shape == (3, 16)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0)
    assert np.allclose(vecs[0], vecs[2]) and not np.allclose(vecs[0], vecs[1])


def test_contract_checker_rejects_misaligned_results():
    class Shuffled:
        async def complete(self, requests):
            return [ChatResult(r.agent_id, "x") for r in reversed(requests)]

    class Empty:
        async def complete(self, requests):
            return [ChatResult(r.agent_id) for r in requests]

    reqs = [ChatRequest(i, []) for i in range(2)]
    for broken in (Shuffled(), Empty()):
        with pytest.raises(LLMClientContractError):
            asyncio.run(check_llm_client(broken, reqs))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_runs_as_a_process():
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "oasis.testing.scripted_llm",
        "--port",
        str(port),
        "--latency-ms",
        "10",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/v1/models"
        for _ in range(300):
            try:
                assert httpx.get(url).status_code == 200
                break
            except httpx.TransportError:
                time.sleep(0.1)
        body = chat_body(response_format=response_format([ActionType.LIKE_POST], 1))
        reply = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=body).json()
        text = reply["choices"][0]["message"]["content"]
        assert parse_actions(3, text, [ActionType.LIKE_POST], 1)[1] is None
    finally:
        proc.terminate()
        proc.wait(timeout=10)
