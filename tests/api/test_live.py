"""Serving a run while it steps: reads during writes succeed and see whole steps only."""

from __future__ import annotations

import asyncio
import io
import threading

import httpx
import pandas as pd

from oasis.api.cache import ResponseCacheSettings
from oasis.core.actions import Action, ActionType
from oasis.platform import Platform
from tests.api.conftest import ApiProcess, api_in_thread

USERS = range(1, 6)
STEPS = 15


def step_actions(step: int) -> list[Action]:
    """Every user posts; from step 2 on, each likes the post its neighbour made a step before."""
    actions = [Action(u, ActionType.CREATE_POST, {"content": f"s{step} u{u}"}) for u in USERS]
    if step > 1:
        first_of_last = (step - 2) * len(USERS) + 1
        actions += [
            Action(u, ActionType.LIKE_POST, {"post_id": first_of_last + u % len(USERS)})
            for u in USERS
        ]
    return actions


class Reads:
    """How many reads have begun; the writer waits for one begun after each of its commits.

    So the reads overlap the writes (a step commits while the read begun after the one before
    is under way) and see many steps between the first and the last, whatever the machine's
    load: waiting on this event, not on a clock.
    """

    def __init__(self) -> None:
        self.begun = 0
        self.changed = threading.Condition()
        self.over = False  # the test's reading stopped: the writer goes on alone

    def begin(self) -> None:
        with self.changed:
            self.begun += 1
            self.changed.notify_all()

    def stop(self) -> None:
        with self.changed:
            self.over = True
            self.changed.notify_all()

    def after(self, begun: int) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.begun > begun or self.over)


def write_steps(platform: Platform, reads: Reads, errors: list[BaseException]) -> None:
    try:
        for step in range(1, STEPS + 1):
            results = platform.apply(step, step_actions(step))
            assert all(r.ok for r in results)
            reads.after(reads.begun)  # a read begun after this commit
        platform.set_status("finished")
    except BaseException as exc:  # handed to the test's thread
        errors.append(exc)


def check_whole_steps(client: httpx.Client) -> int:
    """Read once and check that what is seen is a whole number of committed steps."""
    run = client.get("/run").json()
    step = run["current_step"]
    assert run["steps_recorded"] == step + 1
    frame = pd.read_csv(io.BytesIO(client.get("/export/post", params={"format": "csv"}).content))
    per_step = frame.groupby("created_step").size()
    assert (per_step == len(USERS)).all()
    assert list(per_step.index) == list(range(1, len(per_step) + 1))
    # Posts and traces are read after /run: never fewer steps than it reported.
    assert len(per_step) >= step
    traces = client.get("/traces", params={"step": step, "limit": 500}).json()["items"]
    assert len(traces) == len(step_actions(step) if step else USERS)
    return int(step)


def test_reads_during_a_run_see_whole_steps(db_url: str):
    platform = Platform.open(db_url)
    platform.start_run(seed=1, config={})
    signups = [
        Action(u, ActionType.SIGN_UP, {"user_name": f"u{u}", "name": f"U{u}"}) for u in USERS
    ]
    platform.apply(0, signups)
    server = ApiProcess(db_url, token=None)
    errors: list[BaseException] = []
    reads = Reads()
    writer = threading.Thread(target=write_steps, args=(platform, reads, errors))
    seen: list[int] = []
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            writer.start()
            while writer.is_alive():
                reads.begin()
                seen.append(check_whole_steps(client))
            writer.join()
            assert errors == []
            assert check_whole_steps(client) == STEPS
            assert client.get("/run").json()["status"] == "finished"
    finally:
        reads.stop()
        writer.join()
        server.stop()
        platform.close()
    assert seen == sorted(seen)
    assert len({s for s in seen if 0 < s < STEPS}) > 1  # the reads overlapped the writes


def test_many_concurrent_readers_all_get_answers(run_db: str):
    """More concurrent reads than the API has worker threads and read connections together."""

    async def read_all(base: str) -> list[int]:
        # A fresh connection per request: a kept-alive one can be closed by the server's idle
        # timeout just as the client reuses it (an HTTP/1.1 race that clients retry), which is
        # not what this test is about.
        limits = httpx.Limits(max_connections=120, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
            paths = [f"/users/{1 + i % 6}/posts?limit={1 + i % 50}" for i in range(360)]
            responses = await asyncio.gather(*(client.get(p) for p in paths))
        return [r.status_code for r in responses]

    with api_in_thread(run_db, cache=ResponseCacheSettings(max_mb=0)) as base:
        assert set(asyncio.run(read_all(base))) == {200}
