"""What the scripted LLM server answers: a :class:`Reply` per request, from a responder.

A responder is any callable ``(request_json) -> Reply``. The agent id of a request is read from
its ``user`` field, where :class:`oasis.agents.llm.client.OpenAIChatClient` puts it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from oasis.core.rng import seeded
from oasis.testing.schema_sample import WORDS, sample

Malformed = Literal["garbage", "truncated", "body"]


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted answer.

    ``text`` or ``tool_calls`` (pairs of function name and JSON arguments) make a normal
    completion; ``status`` other than 200 sends an OpenAI-style error body instead; ``delay_s``
    waits before answering (latency, or a client timeout); ``malformed`` sends ``garbage``
    (non-JSON content), ``truncated`` (the JSON content cut in half) or ``body`` (an HTTP 200
    whose body is not JSON at all).
    """

    text: str | None = None
    tool_calls: tuple[tuple[str, str], ...] = ()
    status: int = 200
    delay_s: float = 0.0
    malformed: Malformed | None = None


Responder = Callable[[Mapping[str, Any]], Reply]


def agent_id_of(request: Mapping[str, Any]) -> int | None:
    """The agent id in a request's ``user`` field, or None when it is absent or not a number."""
    user = request.get("user")
    return int(user) if isinstance(user, str) and user.lstrip("-").isdigit() else None


def request_rng(request: Mapping[str, Any]) -> np.random.Generator:
    """A generator seeded from the request body, so the same request gets the same answer."""
    digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).digest()
    return seeded(int.from_bytes(digest[:8], "little"))


def default_reply(request: Mapping[str, Any]) -> Reply:
    """A valid answer, the same for the same request.

    A sample of the ``json_schema`` response format, else one tool call, else a short sentence.
    """
    rng = request_rng(request)
    fmt = request.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return Reply(text=json.dumps(sample(fmt["json_schema"]["schema"], rng)))
    if fmt.get("type") == "json_object":
        return Reply(text=json.dumps({"answer": sample({"type": "string"}, rng)}))
    tools = request.get("tools") or []
    if tools:
        fn = tools[int(rng.integers(len(tools)))]["function"]
        args = sample(fn.get("parameters", {"type": "object"}), rng)
        return Reply(tool_calls=((fn["name"], json.dumps(args)),))
    return Reply(text="I think " + " and ".join(WORDS[int(i)] for i in rng.integers(10, size=3)))


def with_latency(seconds: float, inner: Responder = default_reply) -> Responder:
    """Every answer of ``inner`` delayed by ``seconds``."""

    def respond(request: Mapping[str, Any]) -> Reply:
        reply = inner(request)
        return Reply(reply.text, reply.tool_calls, reply.status, seconds, reply.malformed)

    return respond


def fail_first(
    n: int, failure: Reply = Reply(status=500), inner: Responder = default_reply
) -> Responder:
    """The first ``n`` requests of each agent get ``failure``; later ones answer as ``inner``.

    ``Reply(status=429)`` scripts rate limits; ``Reply(delay_s=5)`` scripts client timeouts.
    """
    seen: dict[int | None, int] = {}
    lock = threading.Lock()

    def respond(request: Mapping[str, Any]) -> Reply:
        agent = agent_id_of(request)
        with lock:
            seen[agent] = count = seen.get(agent, 0) + 1
        if count > n:
            return inner(request)
        return failure

    return respond


def malformed_for(
    agent_ids: Collection[int], kind: Malformed = "garbage", inner: Responder = default_reply
) -> Responder:
    """Agents in ``agent_ids`` get malformed answers of ``kind``; others answer as ``inner``."""

    def respond(request: Mapping[str, Any]) -> Reply:
        reply = inner(request)
        if agent_id_of(request) not in agent_ids:
            return reply
        return Reply(reply.text, reply.tool_calls, reply.status, reply.delay_s, kind)

    return respond


def always(reply: Reply) -> Responder:
    """The same reply to every request."""
    return lambda request: reply
