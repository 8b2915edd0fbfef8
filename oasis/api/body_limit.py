"""Bodies within bounds: the control token before the body, and no body past a limit.

Starlette reads a request's whole body before FastAPI resolves the route's dependencies, so the
token check of a control route came after a 200 MB body had been read into memory (RSS 381 ->
871 MB). This outermost layer answers 401 to a control request without the token, and 413 to a
body declared (``Content-Length``) or streamed past the limit, before the route reads it.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oasis.api.dependencies import control_refusal
from oasis.api.errors import error_response

# The largest body a route takes is an agent or interview: text of at most 2,000 characters
# (up to 12 bytes each as JSON escapes) and 500 ids, under 32 KB; 64 KiB leaves room.
MAX_BODY_BYTES = 64 * 1024
CONTROL_PREFIX = "/control"


class BodyLimit:
    """ASGI middleware: the token of control routes first, then bodies of bounded size."""

    def __init__(self, app: ASGIApp, token: Callable[[], str | None]) -> None:
        self.app = app
        self._token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse, or pass the request on with a receive that counts the body's bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope["path"], headers)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, *_bounded(scope, receive, send))

    def _refusal(self, path: str, headers: Headers) -> ASGIApp | None:
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            scheme, _, given = headers.get("authorization", "").partition(" ")
            why = control_refusal(given if scheme.lower() == "bearer" else "", self._token())
            if why is not None:
                response = error_response(401, why)
                response.headers["WWW-Authenticate"] = "Bearer"
                return response
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _too_large()
        return None


def _too_large() -> ASGIApp:
    return error_response(413, f"request bodies are limited to {MAX_BODY_BYTES} bytes")


def _bounded(scope: Scope, receive: Receive, send: Send) -> tuple[Receive, Send]:
    """``receive`` and ``send`` for the app, refusing a body once it passes the limit.

    Past the limit the client gets 413 at once and the app a disconnect (raising from
    ``receive`` would become FastAPI's 400 "error parsing the body"); what the app sends after
    that is dropped.
    """
    seen = 0
    state = {"started": False, "refused": False}

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES and not state["refused"]:
                state["refused"] = True
                if not state["started"]:
                    await _too_large()(scope, receive, send)
                return {"type": "http.disconnect"}
        return message

    async def sending(message: Message) -> None:
        if state["refused"]:
            return
        state["started"] = state["started"] or message["type"] == "http.response.start"
        await send(message)

    return counted, sending
