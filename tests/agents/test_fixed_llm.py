"""The benchmarks' instant fixed-answer server, through the LLM client over real HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx

from oasis.agents.llm.chat import ChatRequest
from oasis.agents.llm.client import OpenAIChatClient, complete_sync

ANSWER = '{"actions": [{"action": "do_nothing", "args": {}}]}'


def test_every_request_gets_the_fixed_answer_and_its_usage():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "oasis.testing.fixed_llm", "--port", str(port)]
    server = subprocess.Popen([*command, "--fixed", ANSWER])
    base = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(100):
            try:
                models = httpx.get(f"{base}/models", timeout=1).json()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert models["data"][0]["id"] == "scripted"
        assert httpx.get(f"{base}/nothing", timeout=1).status_code == 404
        messages = [{"role": "user", "content": "x" * 40}]
        client = OpenAIChatClient([base], "scripted", max_concurrency=2)
        results = complete_sync(client, [ChatRequest(i, messages) for i in range(5)])
    finally:
        server.terminate()
        server.wait(10)
    assert [r.text for r in results] == [ANSWER] * 5
    assert {r.prompt_tokens for r in results} == {40 // 4 + 1}
    assert [r.agent_id for r in results] == list(range(5))
