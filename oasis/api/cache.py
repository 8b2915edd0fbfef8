"""A response cache in front of the API's routes: reads of committed state served as stored bytes.

Every read route answers from the database's committed state alone, so the bytes of a ``GET`` are
the same for the same path and query until the next commit. :class:`ResponseCache` keeps them per
``(path, query)`` and drops them all when the database's commit token changes (see
:class:`oasis.platform.changes.CommitWatch`); a hit is answered before FastAPI's routing,
validation and database session, in microseconds. Control and people's routes
(``/control/...``, ``/people/...``) and every other method pass through untouched, so their
authentication and effects are unchanged. A response carries ``x-oasis-cache: hit`` or
``miss`` when it went through the cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, MutableMapping
from dataclasses import dataclass
from typing import Any

import anyio
from pydantic import Field

from oasis.core.settings import Section

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

_UNCACHED_PREFIXES = ("/control", "/people")  # answers that depend on who asks
_HIT = (b"x-oasis-cache", b"hit")
_MISS = (b"x-oasis-cache", b"miss")


class ResponseCacheSettings(Section):
    """How the API keeps read responses between commits.

    Attributes:
        check_ms: at most how often, in milliseconds, the API asks the database whether anything
            committed; 0 asks before every cached answer. On SQLite the question costs about
            3 microseconds (``PRAGMA data_version``, measured on this project's 2-core machine),
            so 0 costs nothing there and no answer ever lags a commit. On PostgreSQL each
            question is a round trip; a busy API there may set e.g. 100, and then answers may
            lag a commit by up to that long.
        max_mb: most megabytes of response bodies kept (the oldest go first); 0 turns the cache
            off. 64 MiB holds every distinct read of a 100,000-user run's dashboard many times.
        max_body_kb: larger responses (exports, big pages) are never kept, so that a few of them
            do not push out the many small ones.
    """

    check_ms: float = Field(default=0.0, ge=0)
    max_mb: float = Field(default=64.0, ge=0)
    max_body_kb: float = Field(default=1024.0, ge=0)


@dataclass(frozen=True, slots=True)
class _Entry:
    start: Message
    body: Message
    size: int


class ResponseCache:
    """ASGI middleware keeping ``GET`` responses of read routes until the next commit.

    Args:
        app: the application behind the cache.
        version: the database's commit token (``None`` when it cannot tell: read uncached).
        settings: see :class:`ResponseCacheSettings`.
    """

    def __init__(
        self,
        app: ASGIApp,
        version: Callable[[], Hashable | None],
        settings: ResponseCacheSettings | None = None,
    ) -> None:
        self.app = app
        self.settings = settings or ResponseCacheSettings()
        self._version = version
        self._entries: dict[tuple[str, bytes], _Entry] = {}
        self._making: dict[tuple[str, bytes], anyio.Event] = {}
        self._bytes = 0
        self._token: Hashable | None = None
        self._generation = 0
        self._checked = float("-inf")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the cache, or through ``app`` and keep the answer.

        Requests that miss while the same answer is being made wait for it, once, rather than
        each making it again: after a commit, every reader of a popular page would otherwise
        run its queries at the same moment.
        """
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"])
        waited = False
        while True:
            generation = self._current()
            if generation is None:
                await self.app(scope, receive, send)
                return
            entry = self._entries.get(key)
            if entry is not None:
                await send(entry.start)
                await send(entry.body)
                return
            making = self._making.get(key)
            if making is None or waited:
                break
            await making.wait()
            waited = True
        done = anyio.Event()
        self._making.setdefault(key, done)
        try:
            await self.app(scope, receive, self._recorder(key, generation, send))
        finally:
            if self._making.get(key) is done:
                del self._making[key]
            done.set()

    def _cacheable(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and self.settings.max_mb > 0
            and not scope["path"].startswith(_UNCACHED_PREFIXES)
        )

    def _current(self) -> int | None:
        """The generation of the committed state now (checked if due); None: do not cache."""
        now = time.monotonic()
        if now - self._checked >= self.settings.check_ms / 1000:
            self._checked = now
            token = self._version()
            if token is None or token != self._token:
                self._entries.clear()
                self._bytes = 0
                self._token = token
                self._generation += 1
        return None if self._token is None else self._generation

    def _recorder(self, key: tuple[str, bytes], generation: int, send: Send) -> Send:
        """``send`` that also keeps a whole 200 response under ``key``, if still current."""
        limit = self.settings.max_body_kb * 1024
        start: Message = {}
        chunks: list[bytes] = []
        size = 0

        async def record(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                start.update(message, headers=[*message.get("headers", ()), _MISS])
                message = start
            elif message["type"] == "http.response.body" and start["status"] == 200:
                body = message.get("body", b"")
                size += len(body)
                if size <= limit:
                    chunks.append(body)
                else:  # a big or streamed body is not kept: let go of what was gathered
                    chunks.clear()
                last = not message.get("more_body", False)
                if last and size <= limit and generation == self._generation:
                    self._keep(key, start, b"".join(chunks))
            await send(message)

        return record

    def _keep(self, key: tuple[str, bytes], start: Message, body: bytes) -> None:
        headers = [h for h in start["headers"] if h != _MISS] + [_HIT]
        entry = _Entry(
            {**start, "headers": headers},
            {"type": "http.response.body", "body": body},
            len(body),
        )
        replaced = self._entries.pop(key, None)
        self._bytes += entry.size - (replaced.size if replaced else 0)
        self._entries[key] = entry
        while self._bytes > self.settings.max_mb * 2**20:
            oldest = next(iter(self._entries))
            self._bytes -= self._entries.pop(oldest).size
