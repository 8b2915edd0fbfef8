"""The app factory: a FastAPI app over one platform database, read through its own connections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI

from oasis.api.body_limit import BodyLimit
from oasis.api.cache import ResponseCache, ResponseCacheSettings
from oasis.api.dashboard import install_dashboard
from oasis.api.docs import install_docs
from oasis.api.errors import install_error_handlers
from oasis.api.routers import control, export, people, posts, run, users
from oasis.loop.commands import Controller
from oasis.platform import Platform
from oasis.platform.engine import READER_CONNECTIONS


def create_app(
    db_url: str,
    *,
    token: str | None = None,
    controller: Controller | None = None,
    cache: ResponseCacheSettings | None = None,
    launch_dir: Path | None = None,
) -> FastAPI:
    """A REST API over the platform database at ``db_url``.

    Args:
        db_url: the run's database (SQLite file or PostgreSQL); opened read-only, with one
            read transaction per request, so the simulation's writer is never blocked.
        token: bearer token that control routes require; without one they always answer 401.
        controller: the running simulation's controller; without one control routes answer 409.
        cache: how read responses are kept between commits (see :mod:`oasis.api.cache`).
        launch_dir: where runs started from the set-up page go; ``None`` (default): the page
            may not start runs.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.platform = Platform.open(db_url, read_only=True)
        app.state.readers = anyio.Semaphore(READER_CONNECTIONS)
        app.state.commit_watch = app.state.platform.commit_watch()
        try:
            yield
        finally:
            app.state.commit_watch.close()
            app.state.platform.close()

    app = FastAPI(
        title="OASIS",
        summary="Query a simulated social platform.",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs from the package, not from a CDN
        redoc_url=None,  # ReDoc too loads from a CDN; /docs covers the same
    )
    app.state.token = token or None
    app.state.controller = controller
    app.state.launch_dir = launch_dir
    install_error_handlers(app)
    routers = (run.router, users.router, posts.router, export.router, control.router)
    for router in (*routers, people.router):
        app.include_router(router)
    install_dashboard(app)
    install_docs(app)
    # Outermost of the app's own layers: a hit skips routing, validation and the database.
    app.add_middleware(
        ResponseCache, version=lambda: app.state.commit_watch.version(), settings=cache
    )
    # Outermost: the control token and the body's size are checked before a body is read.
    app.add_middleware(BodyLimit, token=lambda: app.state.token)
    return app
