"""An instant OpenAI-compatible server that answers every chat request with one fixed text.

For benchmarks of the framework's own cost per LLM agent: the scripted server
(:mod:`oasis.testing.scripted_llm`) routes, validates and logs each request through FastAPI,
which costs several times the client's CPU per request on the same cores; this one parses the
HTTP request with httptools on uvloop and writes a prepared answer, so what a benchmark measures
is the simulator, not its stand-in for vLLM. It answers ``GET /v1/models`` and ``POST
/v1/chat/completions`` (usage counted as the scripted server counts it: characters of the
message contents // 4 + 1), and 404 to anything else::

    python -m oasis.testing.fixed_llm --port 8011 --fixed '{"actions": [...]}'
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import httptools
import orjson

from oasis.agents.llm.connections import run

_CHAT = b"/v1/chat/completions"
_MODELS = b"/v1/models"


class _Answers:
    """The prepared parts of every answer."""

    def __init__(self, text: str, model: str) -> None:
        self.model = model
        self.message = {"role": "assistant", "content": text}
        self.completion = len(orjson.dumps(self.message)) // 4 + 1
        models = {"object": "list", "data": [{"id": model, "object": "model", "owned_by": "oasis"}]}
        self.models = _response(200, orjson.dumps(models))
        self.missing = _response(404, b'{"error": {"message": "not found"}}')

    def chat(self, body: bytes) -> bytes:
        request: dict[str, Any] = orjson.loads(body)
        contents = sum(len(str(m.get("content") or "")) for m in request.get("messages", []))
        prompt = contents // 4 + 1
        created = int(time.time())
        answer = {
            "id": f"chatcmpl-{created}",
            "object": "chat.completion",
            "created": created,
            "model": self.model,
            "choices": [{"index": 0, "message": self.message, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": self.completion,
                "total_tokens": prompt + self.completion,
            },
        }
        return _response(200, orjson.dumps(answer))


def _response(status: int, body: bytes) -> bytes:
    reason = b"OK" if status == 200 else b"Not Found"
    head = b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
    return head % (status, reason, len(body)) + body


class _Connection(asyncio.Protocol):
    """One client connection; requests answered in order as they complete."""

    def __init__(self, answers: _Answers) -> None:
        self.answers = answers
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            assert self.transport is not None
            self.transport.close()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        assert self.transport is not None
        url, body = self.url.split(b"?", 1)[0], b"".join(self.body)
        self.url, self.body = b"", []
        if url == _CHAT and self.parser.get_method() == b"POST":
            self.transport.write(self.answers.chat(body))
        elif url == _MODELS:
            self.transport.write(self.answers.models)
        else:
            self.transport.write(self.answers.missing)
        if not self.parser.should_keep_alive():
            self.transport.close()


async def serve(host: str, port: int, text: str, model: str) -> None:
    """Serve until cancelled."""
    answers = _Answers(text, model)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Connection(answers), host, port)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """Serve a fixed answer: ``--host``, ``--port``, ``--fixed``, ``--model``."""
    parser = argparse.ArgumentParser(description="Instant fixed-answer OpenAI-compatible server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--model", default="scripted")
    parser.add_argument("--fixed", required=True, help="the answer text of every chat request")
    args = parser.parse_args(argv)
    run(serve(args.host, args.port, args.fixed, args.model))


if __name__ == "__main__":
    main()
