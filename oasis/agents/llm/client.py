"""The OpenAI-compatible LLM client: `vllm serve` endpoints over HTTP, errors returned as data.

It speaks the chat-completions protocol over keep-alive HTTP/1.1 connections of its own
(:mod:`oasis.agents.llm.connections`) rather than through the ``openai`` SDK or aiohttp's session:
the SDK's request and response layers cost about 0.7 ms of CPU per request against an instant
server, aiohttp's about 0.2 ms, and the simulator sends one request per active agent per step
(``python -m bench.llm_client``).

An agent always goes to endpoint ``agent_id % len(endpoints)``, which keeps its prompt prefix
(system message and profile) warm in that server's prefix cache. The agent id is sent in the
request's ``user`` field, which vLLM accepts and ignores and which the scripted test server
reads. Sessions are opened per :meth:`OpenAIChatClient.complete` call, so the same object works
under a new event loop again and again (a connection pool is tied to the loop that opened it).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from oasis.agents.llm.chat import ChatRequest, ChatResult, LLMClient, LLMStats, ToolCall
from oasis.agents.llm.connections import ConnectionPool, HTTPError
from oasis.agents.llm.connections import run as run_async

_RETRY_STATUS = frozenset({408, 409, 425, 429})


@dataclass(frozen=True, slots=True)
class _Failure:
    error: str
    retryable: bool


class OpenAIChatClient:
    """Batched chat completions against one or many OpenAI-compatible endpoints.

    Args:
        endpoints: base URLs ending in ``/v1``.
        model: the served model name.
        api_key: sent as a bearer token; vLLM ignores it unless started with ``--api-key``.
        max_concurrency: in-flight requests (and open connections) per endpoint.
        timeout_s: limit on one HTTP attempt.
        max_retries: attempts after the first on 408/409/425/429/5xx, timeouts, connection
            errors and unreadable responses; other 4xx fail at once.
        backoff_s: first retry delay, doubled each retry up to ``max_backoff_s``.
        max_backoff_s: cap on one retry delay.
        temperature: sampling temperature sent with every request.

    Attributes:
        in_flight: requests on the wire right now (retries waiting out their backoff are not).
    """

    def __init__(
        self,
        endpoints: Sequence[str],
        model: str,
        *,
        api_key: str = "EMPTY",
        max_concurrency: int = 64,
        timeout_s: float = 60.0,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        temperature: float = 0.7,
    ) -> None:
        if not endpoints:
            raise ValueError("OpenAIChatClient needs at least one endpoint")
        self.endpoints = tuple(endpoints)
        self.model = model
        self.api_key = api_key
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.temperature = temperature
        self.in_flight = 0
        self._stats = LLMStats()

    def endpoint_of(self, agent_id: int) -> int:
        """The index of the endpoint that serves ``agent_id``, the same in every step."""
        return agent_id % len(self.endpoints)

    async def complete(self, requests: Sequence[ChatRequest]) -> list[ChatResult]:
        """Complete every request; results aligned by index, failures as ``error``, never raises.

        Each endpoint gets ``max_concurrency`` senders that take its requests in order, one at
        a time (a task per request waiting on a semaphore cost more than the request itself
        at 10,000 agents); a request waiting out a retry's backoff keeps its sender.
        """
        pools = [self._open(url) for url in self.endpoints]
        queues: list[deque[int]] = [deque() for _ in pools]
        for index, request in enumerate(requests):
            queues[self.endpoint_of(request.agent_id)].append(index)
        results: list[ChatResult] = [ChatResult(r.agent_id) for r in requests]
        senders = [
            self._send_all(pool, queue, requests, results)
            for pool, queue in zip(pools, queues, strict=True)
            for _ in range(min(self.max_concurrency, len(queue)))
        ]
        try:
            await asyncio.gather(*senders)
        finally:
            for pool in pools:
                pool.close()
        self._stats += LLMStats.of(results)
        return results

    def take_stats(self) -> LLMStats:
        """The counts since the last call (per step, when called once a step), then reset."""
        stats, self._stats = self._stats, LLMStats()
        return stats

    def _open(self, url: str) -> ConnectionPool:
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        return ConnectionPool(url.rstrip("/") + "/chat/completions", headers)

    async def _send_all(
        self,
        pool: ConnectionPool,
        queue: deque[int],
        requests: Sequence[ChatRequest],
        results: list[ChatResult],
    ) -> None:
        while queue:
            index = queue.popleft()
            results[index] = await self._send(pool, requests[index])

    async def _send(self, pool: ConnectionPool, request: ChatRequest) -> ChatResult:
        body = orjson.dumps(self.request_body(request))
        attempt = 1
        while True:
            self.in_flight += 1
            try:
                outcome = await _attempt(pool, body, request.agent_id, attempt, self.timeout_s)
            finally:
                self.in_flight -= 1
            if isinstance(outcome, ChatResult):
                return outcome
            if not outcome.retryable or attempt > self.max_retries:
                return ChatResult(request.agent_id, error=outcome.error, attempts=attempt)
            await asyncio.sleep(self._backoff(request.agent_id, attempt))
            attempt += 1

    def request_body(self, request: ChatRequest) -> dict[str, Any]:
        """The JSON body sent for ``request``: all that decides the answer (the cache key)."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": list(request.messages),
            "max_tokens": request.max_tokens,
            "temperature": self.temperature,
            "user": str(request.agent_id),
            "response_format": request.response_format,
            "tools": list(request.tools) if request.tools else None,
            # "required" makes vLLM constrain the answer to the tools' schemas.
            "tool_choice": "required" if request.tools else None,
            "seed": request.seed,
        }
        return {k: v for k, v in body.items() if v is not None}

    def _backoff(self, agent_id: int, attempt: int) -> float:
        # A fixed per-agent spread (no random draw) keeps agents that failed together from
        # retrying in lockstep, and keeps runs reproducible.
        spread = 1.0 + ((agent_id * 2654435761) % 1000) / 2000.0
        return float(min(self.backoff_s * 2 ** (attempt - 1) * spread, self.max_backoff_s))


async def _attempt(
    pool: ConnectionPool, body: bytes, agent_id: int, attempt: int, timeout_s: float
) -> ChatResult | _Failure:
    """One HTTP attempt; every way it can go wrong comes back as a :class:`_Failure`."""
    try:
        status, payload = await pool.post(body, timeout_s)
    except TimeoutError:
        return _Failure("timeout", True)
    except (HTTPError, OSError):  # refused, reset, cut off mid-body, not HTTP
        return _Failure("connection_error", True)
    if status >= 400:
        return _Failure(f"http_{status}", status in _RETRY_STATUS or status >= 500)
    try:
        response_json = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return _Failure("bad_response: not a chat completion", True)
    return _read(agent_id, response_json, attempt)


def _read(agent_id: int, response: Any, attempt: int) -> ChatResult | _Failure:
    """A result from a completion's JSON body; a body that is not one is a failure."""
    try:
        message = response["choices"][0]["message"]
        calls = tuple(
            ToolCall(c["function"]["name"], c["function"].get("arguments") or "")
            for c in message.get("tool_calls") or ()
        )
        usage = response.get("usage") or {}
        content = message.get("content")
        text = "" if content is None and not calls else content
        if text is not None and not isinstance(text, str):
            raise TypeError("content is not text")
        return ChatResult(
            agent_id,
            text=text,
            tool_calls=calls,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            attempts=attempt,
            prefix_cached_tokens=int(
                (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
            ),
        )
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return _Failure("bad_response: not a chat completion", True)


def complete_sync(client: LLMClient, requests: Sequence[ChatRequest]) -> list[ChatResult]:
    """Run :meth:`LLMClient.complete` from code that is not async (a new event loop)."""
    return run_async(client.complete(requests))
