"""LLM-side throughput: prompt building + parsing (pure), the client's CPU per request against
the ``openai`` SDK's, and the client against the scripted server run as a separate process with a
fixed latency. Prints figures and the machine.

    python -m bench.llm_client [--requests 2000] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import openai

from bench.machine import describe
from bench.scripted import scripted_server
from oasis.agents.llm.action_parser import parse_actions
from oasis.agents.llm.chat import ChatRequest
from oasis.agents.llm.client import OpenAIChatClient
from oasis.agents.llm.policy import LLMPolicy
from oasis.agents.llm.prompts import build_messages
from oasis.agents.memory import AgentMemory
from oasis.agents.observation import CommentView, Observation, PostView
from oasis.agents.policy import AgentContext
from oasis.agents.profile import Profile
from oasis.core.actions import ActionType

ALLOWED = [
    ActionType.CREATE_POST,
    ActionType.LIKE_POST,
    ActionType.REPOST,
    ActionType.FOLLOW,
    ActionType.CREATE_COMMENT,
    ActionType.DO_NOTHING,
]


def context(i: int) -> AgentContext:
    posts = tuple(
        PostView(
            p,
            p % 50,
            f"user{p % 50}",
            f"post {p} about climate and markets " * 3,
            1,
            likes=p,
            comments=(CommentView(p * 10, 3, "agreed", 1),),
        )
        for p in range(i % 7, i % 7 + 10)
    )
    obs = Observation(i, 5, "day 1", feed=posts, followers=12, following=30)
    return AgentContext(
        Profile(i, f"user{i}", f"User {i}", "a bio", "curious", ("news",)), AgentMemory(), obs
    )


def bench_pure(n: int) -> None:
    policy = LLMPolicy(None, "twitter", ALLOWED)  # type: ignore[arg-type]
    ctxs = [context(i) for i in range(n)]
    t = time.perf_counter()
    msgs = [build_messages(policy.system, c.profile, c.memory, c.observation) for c in ctxs]
    t_prompt = time.perf_counter() - t
    text = json.dumps(
        {
            "actions": [
                {"action": "like_post", "args": {"post_id": 3}},
                {"action": "create_post", "args": {"content": "hi"}},
            ]
        }
    )
    t = time.perf_counter()
    for i in range(n):
        parse_actions(i, text, ALLOWED, 3)
    t_parse = time.perf_counter() - t
    chars = sum(len(m[1]["content"]) for m in msgs) / n
    print(
        f"prompt build: {n / t_prompt:,.0f} agents/s (user message {chars:.0f} chars, "
        f"system {len(policy.system)} chars shared)"
    )
    print(f"parse: {n / t_parse:,.0f} answers/s")


def bench_client(n: int, latency_ms: float, concurrency: int) -> None:
    with scripted_server(latency_ms) as base:
        policy = LLMPolicy(
            OpenAIChatClient([base], "scripted", max_concurrency=concurrency), "twitter", ALLOWED
        )
        ctxs = [context(i) for i in range(n)]
        t, cpu = time.perf_counter(), time.process_time()
        decisions = asyncio.run(policy.adecide(ctxs))
        dt, cpu = time.perf_counter() - t, time.process_time() - cpu
        stats = policy.take_stats()
        ideal = n / concurrency * latency_ms / 1000
        print(
            f"policy.adecide over HTTP: {n} agents, concurrency {concurrency}, server latency "
            f"{latency_ms:.0f} ms: {dt:.2f} s, {n / dt:,.0f} agents/s (latency-bound ideal "
            f"{ideal:.2f} s); client CPU {cpu / n * 1000:.2f} ms/agent; "
            f"failures {stats.failures}, invalid {stats.invalid_outputs}, "
            f"tokens {stats.prompt_tokens}+{stats.completion_tokens}"
        )
        assert len(decisions) == n and stats.failures == 0


def bench_transports(n: int) -> None:
    """Client CPU per request, instant server: our aiohttp client vs the ``openai`` SDK.

    The SDK runs in its fastest set-up (aiohttp transport, raw response, every field in
    ``extra_body`` so it does not walk typed params); both send the same bodies.
    """
    policy = LLMPolicy(None, "twitter", ALLOWED)  # type: ignore[arg-type]
    contexts = [context(i) for i in range(n)]
    messages = [build_messages(policy.system, c.profile, c.memory, c.observation) for c in contexts]
    formats = [policy.response_format_for(c.observation) for c in contexts]
    with scripted_server(0.0) as base:
        client = OpenAIChatClient([base], "scripted")
        requests = [
            ChatRequest(i, m, f) for i, (m, f) in enumerate(zip(messages, formats, strict=True))
        ]
        cpu = time.process_time()
        results = asyncio.run(client.complete(requests))
        ours = (time.process_time() - cpu) / n * 1000
        assert all(r.error is None for r in results)

        async def with_sdk() -> None:
            sdk = openai.AsyncOpenAI(
                base_url=base,
                api_key="EMPTY",
                max_retries=0,
                http_client=openai.DefaultAioHttpClient(),
            )
            gate = asyncio.Semaphore(64)

            async def one(i: int) -> None:
                body = {"messages": messages[i], "user": str(i), "max_tokens": 512,
                        "response_format": formats[i]}  # fmt: skip
                async with gate:
                    raw = await sdk.chat.completions.with_raw_response.create(
                        model="scripted", messages=[], extra_body=body
                    )
                    raw.http_response.json()

            await asyncio.gather(*(one(i) for i in range(n)))
            await sdk.close()

        cpu = time.process_time()
        asyncio.run(with_sdk())
        theirs = (time.process_time() - cpu) / n * 1000
    print(
        f"client CPU per request, instant server, {n} requests: oasis client {ours:.2f} ms, "
        f"openai SDK {theirs:.2f} ms"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    args = ap.parse_args()
    print(f"machine: {describe()}")
    bench_pure(10_000)
    bench_transports(args.requests)
    for conc in (64, 256):
        bench_client(args.requests, args.latency_ms, conc)
