"""The LLM client's HTTP/1.1 connections: keep-alive POSTs over asyncio, parsed by httptools.

One request per agent per step makes the client's own cost per request the framework's cost per
LLM agent. aiohttp's session layer (request objects, header multidicts, tracing hooks, payload
registry) took about 0.2 ms of CPU per request against an instant server; a chat completion
needs one POST of a JSON body and the bytes of the answer, which this module does in a fraction
of that (``python -m bench.llm_client``). httptools is the C parser uvicorn (and so vLLM) uses;
it handles ``Content-Length`` and chunked bodies, and says whether a connection may be reused.

A :class:`ConnectionPool` belongs to one event loop (one :meth:`OpenAIChatClient.complete
<oasis.agents.llm.client.OpenAIChatClient.complete>` call): a connection per concurrent request,
each carrying one request at a time, kept open between requests while the server allows it.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httptools

T = TypeVar("T")


class HTTPError(Exception):
    """The connection failed, or what came back was not an HTTP response."""


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection carrying one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._chunks: list[bytes] = []
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.reusable = False
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(HTTPError(f"unreadable response: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        self.closed = True  # an idle connection the server closed is never used again
        self._fail(HTTPError("connection closed"))

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        self.reusable = bool(self._parser.should_keep_alive())
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result((self._parser.get_status_code(), b"".join(self._chunks)))

    def _fail(self, error: HTTPError) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Write one request; the status and body of its response."""
        assert self.transport is not None
        self._chunks = []
        self.reusable = False
        self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self._waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class ConnectionPool:
    """Keep-alive connections to one endpoint.

    Each concurrent :meth:`post` uses a connection of its own, so the caller bounds the
    connections by bounding its concurrent posts.

    Args:
        url: the endpoint's URL to POST to (``http`` or ``https``).
        headers: sent with every request (besides Host, Content-Length).
    """

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self._tls = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (443 if self._tls else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()

    async def post(self, body: bytes, timeout_s: float) -> tuple[int, bytes]:
        """POST ``body``; the status and the body of the response.

        Raises TimeoutError past ``timeout_s`` (the connection is
        dropped), :class:`HTTPError` or OSError when the connection fails.
        """
        request = b"%s%d\r\n\r\n%s" % (self._head, len(body), body)
        connection = None
        try:
            async with asyncio.timeout(timeout_s):
                connection = self._reuse() or await self._connect()
                answer = await connection.send(request)
        except BaseException:
            if connection is not None:
                self._drop(connection)
            raise
        if connection.reusable:
            self._idle.append(connection)
        else:
            self._drop(connection)
        return answer

    def _reuse(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed:
                return connection
            self._open.discard(connection)
        return None

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        context = ssl.create_default_context() if self._tls else None
        _, connection = await loop.create_connection(
            _Connection, self._host, self._port, ssl=context
        )
        self._open.add(connection)
        return connection

    def _drop(self, connection: _Connection) -> None:
        connection.close()
        self._open.discard(connection)

    def close(self) -> None:
        """Close every connection."""
        for connection in self._open:
            connection.close()
        self._open.clear()
        self._idle.clear()


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on uvloop's event loop where it is installed (not on Windows).

    uvloop (libuv, a dependency of uvicorn's fast path) takes about a fifth less CPU per request
    than the standard loop; the results are the same.

    The result is handed back outside the task: leaving, the runner puts back Python's SIGINT
    handler, and ``signal.signal`` builds (to discard) an error message holding the repr of the
    handler it replaces, which names the finished task and so its result. For a step's
    heuristic decisions that repr took about 40% of the decisions' time.
    """
    kept: list[T] = []

    async def keep() -> None:
        kept.append(await main)

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(keep())
    return kept[0]


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # Windows: the standard loop
        return None
    return uvloop.new_event_loop
