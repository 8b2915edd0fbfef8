"""Serving the API with uvicorn: blocking for ``oasis serve``, in a thread beside a run."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from oasis.api.app import create_app
from oasis.api.cache import ResponseCacheSettings
from oasis.config import environment_with
from oasis.errors import OasisError
from oasis.loop.commands import Controller


def check_port_free(host: str, port: int) -> None:
    """Check that the API could bind ``host:port`` (port 0 always can).

    Raises:
        OasisError: the port is taken or the address cannot be bound, in one line.
    """
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError as exc:
            taken = exc.errno == errno.EADDRINUSE
            reason = "is already in use" if taken else f"cannot be bound ({exc.strerror})"
            raise OasisError(f"port: {host}:{port} {reason}; pick another with --port") from exc


def _server(
    db_url: str,
    host: str,
    port: int,
    token: str | None,
    controller: Controller | None,
    cache: ResponseCacheSettings | None = None,
    launch_dir: Path | None = None,
) -> uvicorn.Server:
    app = create_app(db_url, token=token, controller=controller, cache=cache, launch_dir=launch_dir)
    # uvicorn picks httptools and uvloop (dependencies of the project): its C HTTP parser and
    # event loop, several times cheaper per request than the pure-Python h11 and asyncio.
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))


def serve(
    db_url: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    controller: Controller | None = None,
    cache: ResponseCacheSettings | None = None,
    launch_dir: Path | None = None,
) -> None:
    """Serve the API over ``db_url`` until interrupted (binds to localhost unless told).

    ``launch_dir``: where runs started from the set-up page go (``None``: not allowed).
    """
    _server(db_url, host, port, token, controller, cache, launch_dir).run()


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
    cache: ResponseCacheSettings | None = None,
    launch_dir: Path | None = None,
) -> BackgroundServer:
    """Start serving the API over ``db_url`` in a daemon thread; ``stop()`` it when done."""
    server = BackgroundServer(_server(db_url, host, port, token, controller, cache, launch_dir))
    server.start()
    return server


def take_idle_cpu_only() -> None:
    """Run this process (its threads, and those it starts later) only on CPU nobody else wants.

    Linux's ``SCHED_IDLE`` policy, or nice 19 where there is none. Beside a run on shared cores
    the API then never preempts the run, and still has any core the run leaves idle. Measured
    with ``python -m bench.api_load --live`` on this project's 2-core machine (the run using
    1.1 cores): at nice 10 the run's steps were 11-74% slower under 1,500-1,800 requests/s (its
    wake-ups and the loopback traffic still took the run's core now and then); under
    ``SCHED_IDLE``, -2% to +16% (medians of three runs) under 1,000-2,000 requests/s.
    """
    if not hasattr(os, "SCHED_IDLE"):
        os.nice(19)
        return
    for task in os.listdir("/proc/self/task"):  # threads already started take it too
        os.sched_setscheduler(int(task), os.SCHED_IDLE, os.sched_param(0))


class ApiProcess:
    """``oasis serve`` in a process of its own beside a run, so that reads never slow the run.

    The child reads the run's database (SQLite in WAL mode, or PostgreSQL) and writes control
    commands into it; the database URL and the token reach it through its environment, never
    its command line (which other users of the machine can read). It takes only CPU time the
    run leaves idle (:func:`take_idle_cpu_only`).
    """

    def __init__(self, db_url: str, host: str, port: int, token: str | None) -> None:
        self.address = (host, port)
        env = environment_with({"OASIS_DATABASE_URL": db_url, "OASIS_API_TOKEN": token or None})
        command = [sys.executable, "-m", "oasis", "serve", "--host", host, "--port", str(port)]
        lifeline = ["--stop-with-parent", str(os.getpid())]  # no server outlives its run
        self.process = subprocess.Popen([*command, "--idle-priority", *lifeline], env=env)

    def wait_until_serving(self, timeout: float = 60.0) -> None:
        """Wait until the API answers.

        Raises:
            OasisError: the API process exited or did not answer in time.
        """
        host, port = self.address
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/openapi.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise OasisError(f"the API process exited (code {self.process.returncode})")
            try:
                httpx.get(url, timeout=2).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise OasisError(f"the API process did not answer at {url} within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop the API process (it finishes open requests first)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
