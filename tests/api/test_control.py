"""Control routes: the bearer token, the attached controller, and the command queue."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import httpx
import pytest

from oasis.api import CommandQueue
from oasis.loop.commands import InjectAgent, InjectPost
from oasis.loop.events import Interview
from oasis.platform import Platform
from tests.api.conftest import TOKEN, api_in_thread

ROUTES = [
    ("GET", "/control/status", None),
    ("POST", "/control/pause", None),
    ("POST", "/control/resume", None),
    ("POST", "/control/posts", {"user_id": 1, "content": "injected"}),
    ("POST", "/control/agents", {"user_name": "new", "name": "New"}),
    ("POST", "/control/interviews", {"user_ids": [1], "question": "why?"}),
    ("GET", "/control/interviews/1", None),
]
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def call(client: httpx.Client, method: str, path: str, body: object, headers: dict | None = None):
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize(
    "headers",
    [
        None,
        {"Authorization": "Bearer wrong"},
        {"Authorization": TOKEN},
        {"Authorization": "Basic x"},
    ],
)
def test_control_refuses_requests_without_the_token(
    client: httpx.Client, method: str, path: str, body: object, headers: dict | None
):
    response = call(client, method, path, body, headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "token" in response.json()["message"]


def test_control_without_a_simulation_is_409(run_db: str):
    with api_in_thread(run_db) as url, httpx.Client(base_url=url) as client:
        for method, path, body in ROUTES:
            response = call(client, method, path, body, AUTH)
            assert response.status_code == 409
            message = response.json()["message"]
            assert message == "no simulation attached: this API only reads a database"


def test_control_is_disabled_without_a_startup_token(run_db: str):
    with api_in_thread(run_db, token=None) as url:
        for header in (AUTH, {"Authorization": "Bearer x"}, None):
            response = httpx.post(f"{url}/control/pause", headers=header)
            assert response.status_code == 401
            assert "started without a token" in response.json()["message"]
        assert httpx.get(f"{url}/run").status_code == 200


@pytest.fixture(scope="module")
def running_db(run_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the scripted run, recorded as still running (so that it takes commands)."""
    path = tmp_path_factory.mktemp("running") / "run.db"
    shutil.copy(run_db.removeprefix("sqlite:///"), path)
    platform = Platform.open(f"sqlite:///{path}")
    platform.set_status("running")
    platform.close()
    return f"sqlite:///{path}"


def test_a_finished_run_takes_no_commands(run_db: str):
    queue = CommandQueue()
    with (
        api_in_thread(run_db, controller=queue) as url,
        httpx.Client(base_url=url, headers=AUTH) as client,
    ):
        for method, path, body in ROUTES:
            if method == "POST":
                response = call(client, method, path, body)
                assert response.status_code == 409, path
                message = response.json()["message"]
                assert message == "the run has finished (last step 4); it takes no more commands"
        assert client.get("/control/status").json()["pending_commands"] == 0
    assert queue.status().pending_commands == 0


@pytest.fixture
def attached(running_db: str) -> Iterator[tuple[httpx.Client, CommandQueue]]:
    queue = CommandQueue()
    with (
        api_in_thread(running_db, controller=queue) as url,
        httpx.Client(base_url=url, headers=AUTH, timeout=10) as client,
    ):
        yield client, queue


def test_pause_and_resume(attached: tuple[httpx.Client, CommandQueue]):
    client, queue = attached
    assert client.get("/control/status").json()["paused"] is False
    assert client.post("/control/pause").json()["paused"] is True
    assert queue.paused
    assert queue.wait_while_paused(timeout=0.01) is False
    assert client.post("/control/resume").json()["paused"] is False
    assert queue.wait_while_paused(timeout=0.01) is True


def test_injections_reach_the_queue_in_order(attached: tuple[httpx.Client, CommandQueue]):
    client, queue = attached
    post = client.post("/control/posts", json={"user_id": 2, "content": "breaking news"})
    assert post.status_code == 202
    agent = client.post("/control/agents", json={"user_name": "fresh", "name": "Fresh"})
    assert agent.status_code == 202
    assert client.get("/control/status").json()["pending_commands"] == 2
    assert queue.drain() == [
        InjectPost(post.json()["command_id"], 2, "breaking news"),
        InjectAgent(agent.json()["command_id"], "fresh", "Fresh", ""),
    ]
    assert queue.drain() == []


def test_injections_check_their_targets(attached: tuple[httpx.Client, CommandQueue]):
    client, queue = attached
    unknown = client.post("/control/posts", json={"user_id": 99, "content": "x"})
    assert (unknown.status_code, unknown.json()["message"]) == (404, "no user with id 99")
    taken = client.post("/control/agents", json={"user_name": "user1", "name": "Again"})
    assert taken.status_code == 409
    for body in (
        {"user_id": 1, "content": "   "},
        {"user_id": 1},
        {"user_id": 1, "content": "x", "y": 1},
    ):
        assert client.post("/control/posts", json=body).status_code == 422
    assert (
        client.post("/control/interviews", json={"user_ids": [], "question": "?"}).status_code
        == 422
    )
    assert (
        client.post("/control/interviews", json={"user_ids": [1, 77], "question": "?"}).status_code
        == 404
    )
    assert queue.drain() == []


def test_interview_answers_arrive_later(attached: tuple[httpx.Client, CommandQueue]):
    client, queue = attached
    request = client.post("/control/interviews", json={"user_ids": [1, 2], "question": "mood?"})
    request_id = request.json()["command_id"]
    assert queue.drain() == [Interview("mood?", (1, 2), request_id)]
    pending = client.get(f"/control/interviews/{request_id}").json()
    assert (pending["status"], pending["answers"]) == ("pending", [])
    queue.answer(request_id, {2: "fine"})
    assert client.get("/control/status").json()["open_interviews"] == 1
    queue.answer(request_id, {1: "great"})
    done = client.get(f"/control/interviews/{request_id}").json()
    assert done["status"] == "answered"
    assert done["answers"] == [{"user_id": 1, "answer": "great"}, {"user_id": 2, "answer": "fine"}]
    assert client.get("/control/interviews/999").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/control/posts", {"user_id": 1, "content": "\x00"}, "content"),
        ("/control/posts", {"user_id": 1, "content": "one NUL\x00 inside"}, "content"),
        ("/control/agents", {"user_name": "nul", "name": "N\x00"}, "name"),
        ("/control/agents", {"user_name": "nul", "name": "N", "bio": "\x00"}, "bio"),
        ("/control/interviews", {"user_ids": [1], "question": "why\x00?"}, "question"),
    ],
)
def test_a_nul_anywhere_in_text_is_refused_by_name(
    attached: tuple[httpx.Client, CommandQueue], path: str, body: dict, field: str
):
    """Issue #25.10: one NUL passed ``\\S``; the field now says what it refuses."""
    client, queue = attached
    answer = client.post(path, json=body)
    assert answer.status_code == 422
    assert "NUL (U+0000)" in str(answer.json()["details"]), answer.json()
    assert field in str(answer.json()["details"])
    assert queue.drain() == []
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    patterns = [p["pattern"] for s in schema.values() for p in s.get("properties", {}).values()
                if "pattern" in p]  # fmt: skip
    assert patterns and all(re.fullmatch(p, "a\x00") is None for p in patterns)
    tab = client.post("/control/posts", json={"user_id": 1, "content": "tab\tand\nnewline"})
    assert tab.status_code == 202  # other control characters are text as sent
