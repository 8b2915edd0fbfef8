"""The API's response cache: what it serves equals what the routes answer, until the next commit."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3

import httpx

from oasis.api import CommandQueue
from oasis.api.cache import ResponseCache, ResponseCacheSettings
from oasis.core.actions import Action, ActionType
from oasis.platform import Platform
from tests.api.conftest import TOKEN, ApiProcess, api_in_thread

READS = [
    "/run", "/steps?limit=3", "/users/2", "/users/1/followers", "/users/1/posts?limit=2",
    "/posts/1", "/posts/1/cascade", "/posts/top?window=5", "/posts/trending?window=5",
    "/traces?step=2", "/export/post?format=csv", "/dashboard/overview", "/openapi.json",
]  # fmt: skip


def test_a_cached_response_equals_the_uncached_one(client: httpx.Client, run_db: str):
    # The same app as the ``api`` fixture's (a token and a controller), its cache off.
    off = ResponseCacheSettings(max_mb=0)
    with (
        api_in_thread(run_db, controller=CommandQueue(), cache=off) as base,
        httpx.Client(base_url=base) as plain,
    ):
        for path in READS:
            first, second = client.get(path), client.get(path)
            assert second.headers["x-oasis-cache"] == "hit", path
            uncached = plain.get(path)
            assert first.status_code == second.status_code == uncached.status_code == 200
            assert first.content == second.content == uncached.content, path
            assert first.headers["content-type"] == second.headers["content-type"]


def test_errors_and_control_are_not_kept(client: httpx.Client):
    for _ in range(2):
        missing = client.get("/users/999")
        assert missing.status_code == 404 and missing.headers["x-oasis-cache"] == "miss"
    for _ in range(2):  # control routes keep their authentication and are never stored
        refused = client.get("/control/status")
        assert refused.status_code == 401 and "x-oasis-cache" not in refused.headers
    allowed = client.get("/control/status", headers={"Authorization": f"Bearer {TOKEN}"})
    assert allowed.status_code == 200 and "x-oasis-cache" not in allowed.headers


def post(platform: Platform, step: int, user: int, text: str) -> None:
    results = platform.apply(step, [Action(user, ActionType.CREATE_POST, {"content": text})])
    assert all(r.ok for r in results)


def test_a_response_changes_after_a_new_step_commits(db_url: str):
    platform = Platform.open(db_url)
    platform.start_run(seed=1, config={})
    platform.apply(0, [Action(1, ActionType.SIGN_UP, {"user_name": "u1", "name": "U1"})])
    post(platform, 1, 1, "first")
    server = ApiProcess(db_url, token=None)
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            for step in (2, 3):
                before = client.get("/users/1/posts")
                again = client.get("/users/1/posts")
                assert again.headers["x-oasis-cache"] == "hit"
                assert again.content == before.content
                post(platform, step, 1, f"at step {step}")
                after = client.get("/users/1/posts")
                assert after.headers["x-oasis-cache"] == "miss"
                contents = [p["content"] for p in after.json()["items"]]
                assert contents[0] == f"at step {step}"
                assert client.get("/run").json()["current_step"] == step
            platform.set_status("finished")  # a commit outside a step, too
            assert client.get("/run").json()["status"] == "finished"
    finally:
        server.stop()
        platform.close()


def test_a_run_database_is_in_wal_mode(sqlite_url: str):
    platform = Platform.open(sqlite_url)
    platform.close()
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# The middleware alone, over a small ASGI app that counts its calls.


class Counting:
    """An ASGI app answering ``GET /n`` with how often it was called, and a big body on /big."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        body = b"x" * 4096 if scope["path"] == "/big" else str(self.calls).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


def get(app, path: str) -> tuple[bytes, str]:
    sent: list[dict] = []

    async def send(message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": b""}
    asyncio.run(app(scope, None, send))
    return sent[1]["body"], dict(sent[0]["headers"]).get(b"x-oasis-cache", b"").decode()


def test_check_ms_bounds_how_often_the_database_is_asked():
    asked = itertools.count()
    versions = [1]

    def version() -> int:
        next(asked)
        return versions[0]

    lazy = ResponseCache(Counting(), version, ResponseCacheSettings(check_ms=3_600_000))
    assert get(lazy, "/n") == (b"1", "miss")
    versions[0] = 2  # a commit the lazy cache does not ask about for an hour
    assert get(lazy, "/n") == (b"1", "hit")
    assert next(asked) == 1
    eager = ResponseCache(Counting(), version, ResponseCacheSettings(check_ms=0))
    assert get(eager, "/n") == (b"1", "miss")
    versions[0] = 3
    assert get(eager, "/n") == (b"2", "miss")
    assert get(eager, "/n") == (b"2", "hit")


def test_the_cache_keeps_at_most_max_mb_and_skips_big_bodies():
    kb = 1 / 1024
    small = ResponseCache(Counting(), lambda: 1, ResponseCacheSettings(max_mb=2 * kb))
    get(small, "/a")
    get(small, "/b")
    get(small, "/c")  # three 1-byte bodies fit in 2 KiB
    assert [get(small, p)[1] for p in ("/a", "/b", "/c")] == ["hit"] * 3
    get(small, "/big")  # 4 KiB: more than the whole cache, so nothing is left
    assert [get(small, p)[1] for p in ("/a", "/big")] == ["miss", "miss"]
    capped = ResponseCache(Counting(), lambda: 1, ResponseCacheSettings(max_body_kb=1))
    get(capped, "/big")
    assert get(capped, "/big")[1] == "miss"
    off = ResponseCache(Counting(), lambda: 1, ResponseCacheSettings(max_mb=0))
    assert get(off, "/n") == (b"1", "")
    assert get(off, "/n") == (b"2", "")
    unknown = ResponseCache(Counting(), lambda: None)
    assert get(unknown, "/n") == (b"1", "")  # the database could not say: read uncached


class Slow(Counting):
    """:class:`Counting` taking 50 ms to answer, and answering 404 on /missing."""

    async def __call__(self, scope, receive, send) -> None:
        await asyncio.sleep(0.05)
        if scope["path"] != "/missing":
            await super().__call__(scope, receive, send)
            return
        self.calls += 1
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b"none"})


def test_misses_for_one_answer_wait_for_it_rather_than_each_make_it():
    slow = Slow()
    cache = ResponseCache(slow, lambda: 1)

    async def one(path: str) -> tuple[int, bytes, bytes]:
        sent: list[dict] = []

        async def send(message) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "query_string": b""}
        await cache(scope, None, send)
        return sent[0]["status"], sent[1]["body"], dict(sent[0]["headers"])[b"x-oasis-cache"]

    async def together(path: str, count: int) -> list[tuple[int, bytes, bytes]]:
        return await asyncio.gather(*(one(path) for _ in range(count)))

    assert asyncio.run(together("/n", 8)) == [(200, b"1", b"miss")] + [(200, b"1", b"hit")] * 7
    assert slow.calls == 1
    # An answer that is not kept (an error): each waiter then asks for itself, once.
    assert asyncio.run(together("/missing", 4)) == [(404, b"none", b"miss")] * 4
    assert slow.calls == 1 + 4


class ReadThenWait:
    """Answers ``GET`` with the commit it read; the first request stops after reading."""

    def __init__(self, versions: list[int]) -> None:
        self.versions = versions
        self.read = asyncio.Event()
        self.go_on = asyncio.Event()

    async def __call__(self, scope, receive, send) -> None:
        body = str(self.versions[0]).encode()
        if not self.read.is_set():
            self.read.set()
            await self.go_on.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


def test_a_response_begun_before_a_commit_is_not_kept():
    versions = [1]

    async def fetch(cache: ResponseCache, path: str) -> tuple[bytes, bytes]:
        sent: list[dict] = []

        async def send(message) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "query_string": b""}
        await cache(scope, None, send)
        return sent[1]["body"], dict(sent[0]["headers"])[b"x-oasis-cache"]

    async def scenario() -> list[tuple[bytes, bytes]]:
        app = ReadThenWait(versions)
        cache = ResponseCache(app, lambda: versions[0])
        begun = asyncio.create_task(fetch(cache, "/n"))
        await app.read.wait()  # it read commit 1 ...
        versions[0] = 2  # ... then a step commits, and the next request sees it
        after = await fetch(cache, "/other")
        app.go_on.set()
        return [await begun, after, await fetch(cache, "/n"), await fetch(cache, "/n")]

    assert asyncio.run(scenario()) == [
        (b"1", b"miss"), (b"2", b"miss"), (b"2", b"miss"), (b"2", b"hit"),
    ]  # fmt: skip
