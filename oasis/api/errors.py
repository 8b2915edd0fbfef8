"""Every error as JSON with a clear message: 4xx for bad requests, never a 500 for bad input."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from oasis.platform import PlatformError

_log = logging.getLogger(__name__)


def error_response(
    status: int, message: str, details: list[dict[str, Any]] | None = None, name: str = ""
) -> JSONResponse:
    """An :class:`oasis.api.schemas.ErrorOut` answer (its name from the status by default)."""
    name = name or HTTPStatus(status).phrase.lower().replace(" ", "_")
    body: dict[str, Any] = {"error": name, "message": message, "details": details}
    return JSONResponse(body, status_code=status)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    response = error_response(exc.status_code, str(exc.detail))
    response.headers.update(exc.headers or {})
    return response


async def _invalid(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
        for e in exc.errors()
    ]
    message = "; ".join(f"{'.'.join(d['loc'])}: {d['msg']}" for d in details)
    return error_response(422, message or "invalid request", details, "invalid_request")


async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    _log.warning("database error: %s", exc)
    return error_response(503, "the database could not answer; try again", name="unavailable")


async def _internal(_: Request, exc: Exception) -> JSONResponse:
    _log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal error", name="internal_error")


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with an :class:`oasis.api.schemas.ErrorOut` body."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(PlatformError, _unavailable)
    app.add_exception_handler(Exception, _internal)
