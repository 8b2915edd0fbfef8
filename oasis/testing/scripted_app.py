"""The FastAPI app of the scripted OpenAI-compatible server: routes, replies and a request log."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from oasis.core.rng import seeded
from oasis.testing.replies import Reply, Responder, agent_id_of, default_reply


@dataclass
class ServerLog:
    """What the server saw: requests (bodies kept in order), and the most in flight at once.

    ``prompt_tokens``, ``completion_tokens`` and ``cached_tokens`` add up the ``usage`` of every
    answer it sent. Like a prefix cache, a request whose first message the server has seen
    before reports that message's tokens as cached (``prompt_tokens_details.cached_tokens``).
    """

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    prefixes: set[str] = field(default_factory=set)

    def agent_ids(self) -> list[int | None]:
        """The agent id of every chat request seen, in arrival order."""
        with self.lock:
            return [agent_id_of(b) for b in self.bodies]

    @contextmanager
    def serving(self, body: dict[str, Any]) -> Iterator[None]:
        """Count one request as in flight while the block runs."""
        with self.lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.bodies.append(body)
        try:
            yield
        finally:
            with self.lock:
                self.in_flight -= 1

    def count_usage(self, usage: Mapping[str, Any] | None) -> None:
        """Add the ``usage`` of one answer sent (``None`` for an error or unreadable body)."""
        if usage is not None:
            with self.lock:
                self.prompt_tokens += usage["prompt_tokens"]
                self.completion_tokens += usage["completion_tokens"]
                self.cached_tokens += usage["prompt_tokens_details"]["cached_tokens"]

    def cached_prefix(self, body: Mapping[str, Any]) -> int:
        """The tokens of the request's first message if seen before (then a cache hit)."""
        messages = body.get("messages") or [{}]
        first = str(messages[0].get("content") or "")
        with self.lock:
            hit = first in self.prefixes
            self.prefixes.add(first)
        return len(first) // 4 if hit else 0


def make_app(
    responder: Responder = default_reply, model: str = "scripted", log: ServerLog | None = None
) -> FastAPI:
    """The FastAPI app of the scripted server."""
    app = FastAPI(title="scripted-llm")
    seen = log if log is not None else ServerLog()

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": model, "object": "model", "owned_by": "oasis"}]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        body = await request.json()
        with seen.serving(body):
            reply = responder(body)
            await asyncio.sleep(reply.delay_s)
            response, usage = _chat_response(body, reply, model, seen.cached_prefix(body))
            seen.count_usage(usage)
            return response

    @app.post("/v1/embeddings")
    async def embeddings(request: Request) -> dict[str, Any]:
        body = await request.json()
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        dim = int(body.get("dimensions") or 32)
        data = [
            {"object": "embedding", "index": i, "embedding": embed(str(t), dim)}
            for i, t in enumerate(texts)
        ]
        tokens = sum(len(str(t)) // 4 + 1 for t in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        return {"object": "list", "model": model, "data": data, "usage": usage}

    return app


def embed(text: str, dim: int) -> list[float]:
    """A deterministic unit vector for ``text``."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    vec = seeded(seed).standard_normal(dim)
    return [float(x) for x in vec / np.linalg.norm(vec)]


def _chat_response(
    body: Mapping[str, Any], reply: Reply, model: str, cached: int
) -> tuple[Response, dict[str, Any] | None]:
    """The HTTP response to one chat request, and the ``usage`` it reports (if any).

    ``cached`` prompt tokens are reported as taken from the prefix cache.
    """
    if reply.status != 200:
        error = {"message": f"scripted {reply.status}", "type": "scripted", "code": reply.status}
        return JSONResponse({"error": error}, status_code=reply.status), None
    if reply.malformed == "body":
        return PlainTextResponse("<html>502 upstream garbage</html>"), None
    message = _message(reply)
    prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", [])) // 4 + 1
    completion = len(json.dumps(message)) // 4 + 1
    choice = {
        "index": 0,
        "message": message,
        "finish_reason": "tool_calls" if reply.tool_calls else "stop",
    }
    usage = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": min(cached, prompt)},
    }
    created = int(time.time())
    response = JSONResponse(
        {
            "id": f"chatcmpl-{created}",
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [choice],
            "usage": usage,
        }
    )
    return response, usage


def _message(reply: Reply) -> dict[str, Any]:
    text = reply.text
    if reply.malformed == "garbage":
        text = "Sure! I would like to }{ like post 3 maybe ```not json"
    elif reply.malformed == "truncated":
        text = (text or "{}")[: max(len(text or "{}") // 2, 1)]
    calls = [
        {"id": f"call_{i}", "type": "function", "function": {"name": n, "arguments": a}}
        for i, (n, a) in enumerate(reply.tool_calls)
    ]
    return {"role": "assistant", "content": text, "tool_calls": calls or None}
