"""Issue #13.10: live control through an API in a process of its own, as deployed.

Two layouts, each with real processes: ``oasis run --serve`` (the run starts ``oasis serve`` as
a child over its SQLite file), and the docker-compose one (``oasis run`` and ``oasis serve`` as
separate processes over PostgreSQL). Pause, resume, an injected post and agent, and an
interview all go through the API process and reach the run through the database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from oasis.api.server import ApiProcess
from oasis.platform import Platform
from oasis.testing.replies import with_latency
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.api.conftest import free_port
from tests.factories import Gate, acting_reply, experiment_file, scripted_llm

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "process-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Steps of the run: enough to stand at the closed gate, pause, take the injected commands in
# the step after the pause and answer the interview (the run stands at its first step that asks
# the LLM, step 0 in practice).
STEPS = 12


def oasis(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), **env}
    return subprocess.Popen(
        [sys.executable, "-m", "oasis", *args], cwd=cwd, env=full, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def until(check: Callable[[], object], timeout: float = 90.0, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise TimeoutError(what)


def answers(client: httpx.Client, path: str) -> bool:
    try:
        return client.get(path).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def gate() -> Gate:
    """Closed at first: the run stands in its first step until the test opens it."""
    gate = Gate(with_latency(0.15, acting_reply))
    gate.open.clear()
    return gate


@pytest.fixture
def slow_llm(gate: Gate) -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer(gate) as server:
        yield server


def live_experiment(folder: Path, llm: ScriptedLLMServer, database: str | None) -> Path:
    """40 synthetic users for ``STEPS`` steps on ``llm``, retrying while its gate is closed."""
    db = {"database": database} if database else {}
    return experiment_file(
        folder, name="live", seed=4, steps=STEPS, output="out", **db,
        population={"source": "synthetic", "n_users": 40},
        activation={"kind": "uniform", "views_per_hour": 0.3},
        llm=scripted_llm(llm, max_retries=1000),
    )  # fmt: skip


def start_layout(layout: str, folder: Path, llm: ScriptedLLMServer, pg: str | None, port: int):
    """The processes of ``layout``; the first is the run."""
    env = {"OASIS_API_TOKEN": TOKEN}
    if layout == "run --serve":
        live_experiment(folder, llm, None)
        return [oasis("run", "exp.yaml", "--serve", "--port", str(port), cwd=folder, env=env)]
    assert pg is not None
    live_experiment(folder, llm, pg)
    run = oasis("run", "exp.yaml", cwd=folder, env={})

    def has_run() -> bool:
        platform = Platform.open(pg, read_only=True)
        try:
            return platform.run_info() is not None
        except Exception:  # the tables do not exist yet
            return False
        finally:
            platform.close()

    until(has_run, what="the run's database")
    serve = oasis("serve", "--port", str(port), cwd=folder, env={**env, "OASIS_DATABASE_URL": pg})
    return [run, serve]


LAYOUTS = ["run --serve", pytest.param("compose", marks=pytest.mark.postgres)]


@pytest.mark.slow
@pytest.mark.parametrize("layout", LAYOUTS)
def test_pause_resume_inject_and_interview_through_the_api_process(
    layout, tmp_path, slow_llm, gate, request
):
    pg = request.getfixturevalue("postgres_url") if layout == "compose" else None
    port = free_port()
    processes = start_layout(layout, tmp_path, slow_llm, pg, port)
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10, headers=AUTH)
        until(lambda: answers(client, "/run"), what="the API process")
        paused = client.post("/control/pause").json()
        assert paused["paused"] is True
        # Read after the pause is stored: at most the step in flight then commits after it (the
        # run stood at the closed gate, so the pause came before the run could end).
        held = client.get("/run").json()["current_step"]
        assert held < STEPS - 1
        gate.open.set()

        post = client.post("/control/posts", json={"user_id": 3, "content": "from the API"})
        agent = client.post("/control/agents", json={"user_name": "newbie", "name": "N", "bio": ""})
        asked = client.post("/control/interviews", json={"user_ids": [1, 2], "question": "Mood?"})
        assert post.status_code == agent.status_code == asked.status_code == 202
        status = client.get("/control/status").json()
        assert status == {"paused": True, "pending_commands": 3, "open_interviews": 1}

        assert client.post("/control/resume").json()["paused"] is False
        interview = f"/control/interviews/{asked.json()['command_id']}"
        done = until(lambda: client.get(interview).json()["status"] == "answered" or None)
        assert done
        answered = client.get(interview).json()["answers"]
        assert {a["user_id"] for a in answered} == {1, 2} and all(a["answer"] for a in answered)

        def injected() -> list[int]:
            found = client.get("/traces", params={"user_id": 3, "action": "create_post"}).json()
            return [t["step"] for t in found["items"] if t["args"].get("content") == "from the API"]

        landed = until(injected, what="the injected post")
        # Queued during the pause, taken by the first step after it: no step began while paused
        # but the one in flight when it came (events in the database, not a clock).
        assert landed in ([held + 1], [held + 2])
        users = client.get("/users", params={"q": "newbie"}).json()["items"]
        assert [u["user_name"] for u in users] == ["newbie"]
        assert client.get("/control/status").json()["pending_commands"] == 0
        client.close()
        assert processes[0].wait(120) == 0, processes[0].stderr.read()
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(20)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_the_api_beside_a_run_takes_only_cpu_the_run_leaves(run_db: str):
    server = ApiProcess(run_db, "127.0.0.1", free_port(), None)
    try:
        server.wait_until_serving()
        tasks = os.listdir(f"/proc/{server.process.pid}/task")  # its threads, started later too
        assert {os.sched_getscheduler(int(task)) for task in tasks} == {os.SCHED_IDLE}
    finally:
        server.stop()
