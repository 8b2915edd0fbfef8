"""What routes depend on: a read snapshot per request, the run's state, and control access."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from oasis.config import ConfigError, ExperimentConfig, stored_experiment
from oasis.loop.commands import Controller
from oasis.platform.queries import Snapshot, snapshot

_bearer = HTTPBearer(auto_error=False, description="the token given when the API was started")


async def _snapshot(request: Request) -> AsyncIterator[Snapshot]:
    # As many requests at a time as the read pool has connections: else requests holding every
    # connection could wait for worker threads that all wait for a connection, until the pool's
    # 30 s timeout (seen with 100 concurrent clients).
    async with request.app.state.readers:
        # On the event loop, not in a worker thread: the snapshot opens its transaction at the
        # route's first query, in the route's own thread, and closing it (a rollback) costs less
        # than a hop to a worker thread and back (about 120 us of CPU each, measured on this
        # project's 2-core machine; see oasis/api/routers/__init__.py).
        with snapshot(request.app.state.platform) as snap:
            yield snap


Snap = Annotated[Snapshot, Depends(_snapshot)]


def run_record(snap: Snapshot) -> dict[str, Any]:
    """The run recorded in ``snap``'s database.

    Raises:
        HTTPException: 404 when no run is recorded.
    """
    run = snap.run.run()
    if run is None:
        raise HTTPException(404, "no run is recorded in this database")
    return run


def known_user(snap: Snapshot, user_id: int) -> dict[str, Any]:
    """The user ``user_id`` of the run in ``snap``.

    Raises:
        HTTPException: 404 when there is no such user.
    """
    row = snap.users.user(user_id)
    if row is None:
        raise HTTPException(404, f"no user with id {user_id}")
    return row


def run_experiment(snap: Snapshot) -> ExperimentConfig | None:
    """The experiment the run in ``snap`` stored, validated once by the config module.

    None when its config is not a valid experiment (a run of an older version).

    Raises:
        HTTPException: 404 when no run is recorded.
    """
    try:
        return stored_experiment(run_record(snap)["config"] or {})
    except ConfigError:
        return None


def last_step(snap: Snapshot) -> int:
    """The last committed step of the run in ``snap`` (404 when no run is recorded)."""
    return int(run_record(snap)["last_step"])


def control_refusal(given: str, expected: str | None) -> str | None:
    """Why a control request with bearer token ``given`` is refused (None: it is not).

    Also asked by :class:`oasis.api.body_limit.BodyLimit` before a control request's body is
    read, so that no one without the token makes the server read a body.
    """
    if expected is None:
        return "control is disabled: the API was started without a token"
    # Compare bytes: compare_digest refuses non-ASCII str.
    if not secrets.compare_digest(given.encode(), expected.encode()):
        return "control needs the bearer token given at start-up"
    return None


def _authorised(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    refusal = control_refusal(
        credentials.credentials if credentials else "", request.app.state.token
    )
    if refusal is not None:
        raise HTTPException(401, refusal, headers={"WWW-Authenticate": "Bearer"})


def _controller(request: Request, _: Annotated[None, Depends(_authorised)]) -> Controller:
    controller: Controller | None = request.app.state.controller
    if controller is None:
        raise HTTPException(409, "no simulation attached: this API only reads a database")
    return controller


Control = Annotated[Controller, Depends(_controller)]
