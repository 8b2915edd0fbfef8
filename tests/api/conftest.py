"""A database from a short scripted run, real uvicorn processes serving it, a finished herd run
with votes, and a headless Chromium per module."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest

from oasis.api import CommandQueue, serve_in_thread
from oasis.api.cache import ResponseCacheSettings
from oasis.config import ExperimentConfig
from oasis.core.actions import Action, ActionType
from oasis.platform import FeedRecord, Platform
from tests.api.browser import chromium
from tests.factories import finished_herd, voted_herd_experiment

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-token"
USERS = range(1, 7)

A = ActionType
# Each step's actions and whether each one succeeds. Post ids follow canonical order (agent id):
# 1 u1 "hello world", 2 u2 "climate news", 3 u2 repost 1, 4 u3 quote 1, 5 u4 repost 3 (a repost
# of a repost), 6 u5 quote 4 (a quote of a quote: a share of the quote 4), 7 u1 "second post".
SCRIPT: list[list[tuple[int, ActionType, dict[str, object], bool]]] = [
    [
        (u, A.SIGN_UP, {"user_name": f"user{u}", "name": f"User {u}", "bio": f"bio {u}"}, True)
        for u in USERS
    ],
    [
        (1, A.CREATE_POST, {"content": "hello world"}, True),
        (2, A.CREATE_POST, {"content": "climate news"}, True),
        (2, A.FOLLOW, {"followee_id": 1}, True),
        (3, A.FOLLOW, {"followee_id": 1}, True),
        (4, A.FOLLOW, {"followee_id": 1}, True),
        (5, A.CREATE_GROUP, {"group_name": "club"}, True),
    ],
    [
        (1, A.FOLLOW, {"followee_id": 2}, True),
        (2, A.REPOST, {"post_id": 1}, True),
        (3, A.QUOTE_POST, {"post_id": 1, "quote_content": "so true"}, True),
        (4, A.CREATE_COMMENT, {"post_id": 1, "content": "nice"}, True),
        (5, A.LIKE_POST, {"post_id": 1}, True),
        (6, A.LIKE_POST, {"post_id": 2}, True),
        (6, A.REPOST, {"post_id": 999}, False),
    ],
    [
        (1, A.JOIN_GROUP, {"group_id": 1}, True),
        (4, A.REPOST, {"post_id": 3}, True),
        (5, A.QUOTE_POST, {"post_id": 4, "quote_content": "quoting a quote"}, True),
        (6, A.LIKE_COMMENT, {"comment_id": 1}, True),
        (6, A.FOLLOW, {"followee_id": 1}, True),
        (6, A.LIKE_POST, {"post_id": 1}, True),
    ],
    [
        (1, A.CREATE_POST, {"content": "second post"}, True),
        (1, A.SEND_TO_GROUP, {"group_id": 1, "message": "hi club"}, True),
        (2, A.CREATE_COMMENT, {"post_id": 3, "content": "on the repost"}, True),
        (3, A.LIKE_POST, {"post_id": 1}, True),
        (3, A.LIKE_POST, {"post_id": 1}, False),
        (4, A.FOLLOW, {"followee_id": 4}, False),
    ],
]
# The feeds the recommender gave: step -> {user: [post ids by rank]}.
FEEDS = {2: {1: [2, 1]}, 4: {1: [4, 3, 2], 3: [7]}}


def feed_record(feeds: dict[int, list[int]]) -> FeedRecord:
    users = sorted(feeds)
    indptr = np.cumsum([0, *(len(feeds[u]) for u in users)])
    return FeedRecord(np.array(users), indptr, np.array([p for u in users for p in feeds[u]]))


def run_script(url: str) -> None:
    """Apply the scripted run to a fresh database, with the feeds given at some steps."""
    platform = Platform.open(url)
    platform.start_run(seed=7, config={"name": "api-test", "steps": len(SCRIPT)})
    for step, entries in enumerate(SCRIPT):
        actions = [Action(u, kind, args) for u, kind, args, _ in entries]
        feeds = feed_record(FEEDS[step]) if step in FEEDS else None
        results = platform.apply(step, actions, metrics={"active": len(actions)}, feeds=feeds)
        assert [r.ok for r in results] == [ok for *_, ok in entries], results
    platform.set_status("finished")
    platform.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def run_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('api')}/run.db"
    run_script(url)
    return url


STARTUP_BOUND_S = 300.0


class ApiProcess:
    """``oasis.api.server.serve`` in a uvicorn child process."""

    def __init__(self, db_url: str, token: str | None, attached: bool = False) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        # ``attached`` gives the server a command queue that no loop drains.
        code = (
            "import sys; from oasis.api import CommandQueue, serve;"
            "serve(sys.argv[1], port=int(sys.argv[2]), token=sys.argv[3] or None,"
            " controller=CommandQueue() if sys.argv[4] == 'yes' else None)"
        )
        flag = "yes" if attached else "no"
        args = [sys.executable, "-c", code, db_url, str(self.port), token or "", flag]
        self.process = subprocess.Popen(args, cwd=ROOT)
        self._wait()

    def _wait(self) -> None:
        # Waits for the events that end the start: the API answers, or its process exits. The
        # bound only catches a hung start: under a heavy load (17 on 2 cores) importing the API
        # took over 30 s.
        deadline = time.monotonic() + STARTUP_BOUND_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the API process exited"
            try:
                httpx.get(f"{self.base_url}/openapi.json", timeout=1).raise_for_status()
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError("the API process did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture(scope="session")
def api(run_db: str) -> Iterator[ApiProcess]:
    """The API over the scripted run, with a token and a command queue that no loop drains."""
    server = ApiProcess(run_db, TOKEN, attached=True)
    yield server
    server.stop()


@contextmanager
def api_in_thread(
    db_url: str,
    token: str | None = TOKEN,
    controller: CommandQueue | None = None,
    cache: ResponseCacheSettings | None = None,
) -> Iterator[str]:
    """The API served by uvicorn in a thread of the test process, on a free port."""
    server = serve_in_thread(db_url, port=0, token=token, controller=controller, cache=cache)
    host, port = server.address
    assert host == "127.0.0.1"  # localhost unless told otherwise
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def client(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, timeout=10) as http:
        yield http


@pytest.fixture(scope="session")
def voted_herd_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ExperimentConfig, pd.DataFrame]:
    """``voted_herd_experiment`` run to its end: its config and herd table (read them only)."""
    config = voted_herd_experiment(tmp_path_factory.mktemp("voted-herd"))
    return config, finished_herd(config)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium for the module's tests (a WebDriver)."""
    yield from chromium()
