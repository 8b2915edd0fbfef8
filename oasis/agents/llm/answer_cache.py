"""The exact LLM answer cache: an answer is reused only for a byte-identical request.

The key is the SHA-256 of the whole request body the client would send (model, messages, JSON
schema or tools, temperature, token limit, agent and request seed), so a cached answer is what
the model was asked exactly that, and a run that takes it behaves as if the model answered again
the same way. Nothing is matched by meaning: that would change results.

The store is a folder of append-only JSON-lines files, one per writing process (a run, a Ray
shard, a sweep task), so writers on one machine or a shared file system never interleave and
need no lock; a reader loads every file and picks up what other writers appended since at each
batch. It is not a database on purpose: agents never speak SQL (only ``oasis/platform`` does),
and a text file per writer is the simplest store that many processes can share. Only answers
are stored, never failures, so a request that failed is asked again. A truncated last line (a
writer killed mid-write) is skipped, as is a line of valid JSON that is not an answer
(``{"foo": 1}``, ``42``, ``"text": 123``); :attr:`AnswerCache.skipped` counts them.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import orjson

from oasis.agents.llm.chat import ChatRequest, ChatResult, ToolCall


def request_key(body: Mapping[str, Any]) -> str:
    """The cache key of a request body: SHA-256 of its JSON with sorted keys."""
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


class AnswerCache:
    """Answers by request key, in a folder of append-only JSON-lines files shared by processes.

    Args:
        folder: the cache location; runs that name the same folder share their answers.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._answers: dict[str, dict[str, Any]] = {}
        self.skipped = 0  # lines cut short or of another shape, skipped as not answers
        self._read_up_to: dict[Path, int] = {}
        name = f"answers-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        self._own = self.folder / name
        self.refresh()

    def __len__(self) -> int:
        return len(self._answers)

    def refresh(self) -> None:
        """Read what every writer appended since the last refresh (whole lines only)."""
        for path in sorted(self.folder.glob("answers-*.jsonl")):
            start = self._read_up_to.get(path, 0)
            with path.open("rb") as file:
                file.seek(start)
                chunk = file.read()
            end = chunk.rfind(b"\n") + 1
            for line in chunk[:end].splitlines():
                self._load(line)
            self._read_up_to[path] = start + end

    def get(self, key: str, agent_id: int) -> ChatResult | None:
        """The cached answer to the request with ``key``, as a result of ``agent_id``."""
        entry = self._answers.get(key)
        if entry is None:
            return None
        calls = tuple(ToolCall(name, arguments) for name, arguments in entry["tool_calls"])
        return ChatResult(
            agent_id,
            text=entry["text"],
            tool_calls=calls,
            prompt_tokens=entry["prompt_tokens"],
            completion_tokens=entry["completion_tokens"],
            cached=True,
        )

    def put(self, answers: Sequence[tuple[str, ChatResult]]) -> None:
        """Store answered requests (failures are skipped) with one append to this writer's file."""
        lines = []
        for key, result in answers:
            if result.error is not None or result.cached or key in self._answers:
                continue
            entry = {
                "key": key,
                "text": result.text,
                "tool_calls": [[c.name, c.arguments] for c in result.tool_calls],
                "prompt_tokens": result.prompt_tokens,
                "completion_tokens": result.completion_tokens,
            }
            self._answers[key] = entry
            lines.append(orjson.dumps(entry) + b"\n")
        if lines:
            with self._own.open("ab") as file:
                file.write(b"".join(lines))
            self._read_up_to[self._own] = self._own.stat().st_size

    def _load(self, line: bytes) -> None:
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:  # a line cut short by a killed writer
            self.skipped += 1
            return
        if not _well_formed(entry):  # valid JSON of another shape: not an answer of ours
            self.skipped += 1
            return
        self._answers.setdefault(entry["key"], entry)


def _well_formed(entry: Any) -> bool:
    """Whether a cache line holds what :meth:`AnswerCache.put` writes."""
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
        return False
    if not isinstance(entry.get("text"), str | None):
        return False
    calls = entry.get("tool_calls")
    if not isinstance(calls, list) or not all(
        isinstance(c, list) and len(c) == 2 and all(isinstance(x, str) for x in c) for c in calls
    ):
        return False
    tokens = (entry.get("prompt_tokens"), entry.get("completion_tokens"))
    return all(isinstance(t, int) and not isinstance(t, bool) for t in tokens)


class _BodyClient(Protocol):
    """A client that can say which body it sends for a request (the cache key's source)."""

    @property
    def in_flight(self) -> int:
        """Requests on the wire."""
        ...

    def request_body(self, request: ChatRequest) -> dict[str, Any]:
        """The JSON body of ``request``."""
        ...

    async def complete(self, requests: Sequence[ChatRequest]) -> list[ChatResult]:
        """Complete every request, aligned by index."""
        ...


class CachedChatClient:
    """An LLM client that answers identical requests from an :class:`AnswerCache`.

    Only the requests not in the cache reach ``inner``, in one batch; results stay aligned by
    index and carry ``cached=True`` when they came from the cache.
    """

    def __init__(self, inner: _BodyClient, cache: AnswerCache) -> None:
        self.inner = inner
        self.cache = cache

    @property
    def in_flight(self) -> int:
        """The inner client's requests on the wire."""
        return self.inner.in_flight

    async def complete(self, requests: Sequence[ChatRequest]) -> list[ChatResult]:
        """Cached answers where the request is known, the model's for the rest."""
        self.cache.refresh()
        keys = [request_key(self.inner.request_body(r)) for r in requests]
        results = [self.cache.get(k, r.agent_id) for k, r in zip(keys, requests, strict=True)]
        missing = [i for i, result in enumerate(results) if result is None]
        answered = await self.inner.complete([requests[i] for i in missing]) if missing else []
        for i, result in zip(missing, answered, strict=True):
            results[i] = result
        self.cache.put([(keys[i], r) for i, r in zip(missing, answered, strict=True)])
        # ``no_result`` only if the inner client broke its contract (one result per request).
        return [
            r if r is not None else ChatResult(requests[i].agent_id, error="no_result")
            for i, r in enumerate(results)
        ]
