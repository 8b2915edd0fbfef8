"""The API's read transaction is a snapshot: a step committed meanwhile stays invisible to it."""

from __future__ import annotations

import httpx

from oasis.core.actions import Action, ActionType
from oasis.platform import Platform
from oasis.platform.queries import snapshot
from tests.api.conftest import api_in_thread


def test_a_snapshot_does_not_see_steps_committed_during_it(db_url: str):
    writer = Platform.open(db_url)
    writer.start_run(seed=1, config={})
    writer.apply(0, [Action(1, ActionType.SIGN_UP, {"user_name": "a", "name": "A"})])
    reader = Platform.open(db_url, read_only=True)
    try:
        with snapshot(reader) as snap:
            assert snap.run.run()["last_step"] == 0
            writer.apply(1, [Action(1, ActionType.CREATE_POST, {"content": "new"})])
            assert snap.run.step_count() == 1
            assert snap.posts.search("new", 10, 0) == []
        with snapshot(reader) as snap:
            assert (snap.run.run()["last_step"], snap.run.step_count()) == (1, 2)
    finally:
        reader.close()
        writer.close()


def test_a_database_without_a_run_answers_clearly(tmp_path):
    empty = f"sqlite:///{tmp_path}/empty.db"
    Platform.open(empty).close()  # tables, but no run recorded
    missing = f"sqlite:///{tmp_path}/missing.db"  # no tables at all
    for url, status in ((empty, 404), (missing, 503)):
        with api_in_thread(url) as base_url:
            response = httpx.get(f"{base_url}/run")
            assert response.status_code == status
            assert response.json()["error"] in {"not_found", "unavailable"}
            assert httpx.get(f"{base_url}/posts/top").status_code == status
