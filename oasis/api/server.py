"""Serving the API with uvicorn: blocking for ``oasis serve``, in a thread beside a run."""

from __future__ import annotations

import threading
import time

import uvicorn

from oasis.api.app import create_app
from oasis.loop.commands import Controller


def _server(
    db_url: str, host: str, port: int, token: str | None, controller: Controller | None
) -> uvicorn.Server:
    app = create_app(db_url, token=token, controller=controller)
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))


def serve(
    db_url: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    controller: Controller | None = None,
) -> None:
    """Serve the API over ``db_url`` until interrupted (binds to localhost unless told)."""
    _server(db_url, host, port, token, controller).run()


class BackgroundServer:
    """The API served from a thread of this process, e.g. beside a running simulation."""

    def __init__(self, server: uvicorn.Server) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.run, name="oasis-api", daemon=True)

    def start(self, timeout: float = 30.0) -> None:
        """Start serving and wait until the socket is bound."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.05)

    @property
    def address(self) -> tuple[str, int]:
        """The host and port the server is bound to (a port of 0 asks for a free one)."""
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        return str(host), int(port)

    def stop(self) -> None:
        """Finish open requests and stop serving."""
        self._server.should_exit = True
        self._thread.join()


def serve_in_thread(
    db_url: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    controller: Controller | None = None,
) -> BackgroundServer:
    """Start serving the API over ``db_url`` in a daemon thread; ``stop()`` it when done."""
    server = BackgroundServer(_server(db_url, host, port, token, controller))
    server.start()
    return server
