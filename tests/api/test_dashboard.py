"""The dashboard's routes over the scripted run: the page, its files, and bounded aggregates."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from oasis.analysis import herd_effect
from oasis.api.dashboard.routes import STATIC
from oasis.api.pagination import MAX_LIMIT
from oasis.core.actions import Action, ActionType
from oasis.platform import Platform
from oasis.platform.queries import snapshot
from oasis.platform.queries.summaries import FEED_SCAN_STEPS
from tests.api.conftest import FEEDS, ROOT, SCRIPT, api_in_thread, free_port, run_script


def test_the_page_and_its_files_are_served_from_the_package(client: httpx.Client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = re.findall(r'(?:src|href)="(/dashboard/static/[^"]+)"', page.text)
    assert len(assets) == 4  # styles, the shared DOM helpers, charts, the page script
    for asset in assets:
        assert client.get(asset).status_code == 200
    # Offline: nothing is fetched from another host.
    for path in STATIC.iterdir():
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", path.read_text()), path.name


def test_overview_and_series(client: httpx.Client):
    overview = client.get("/dashboard/overview").json()
    assert overview == {
        "name": "api-test",
        "status": "finished",
        "paused": False,
        "current_step": len(SCRIPT) - 1,
        "total_steps": len(SCRIPT),
        "sim_time": client.get("/steps", params={"since": 4}).json()["items"][0]["sim_time"],
        "users": 6,
        "posts": 7,
        "control": True,
    }
    series = client.get("/dashboard/series").json()
    assert [p["step"] for p in series["items"]] == list(range(len(SCRIPT)))
    assert series["next_after"] is None
    step2 = series["items"][2]
    assert step2["figures"] == {"actions": 7, "failed_actions": 1, "active": 7}
    assert step2["actions_by_type"] == {
        "follow": 1, "repost": 2, "quote_post": 1, "create_comment": 1, "like_post": 2,
    }  # fmt: skip
    paged = client.get("/dashboard/series", params={"after": 1, "limit": 2}).json()
    assert [p["step"] for p in paged["items"]] == [2, 3]
    assert paged["next_after"] == 3


def test_top_cascades_match_the_cascade_route(client: httpx.Client):
    top = client.get("/dashboard/cascades").json()
    # The quote 4 roots a cascade of its own: post 6 quotes it.
    assert [(c["post_id"], c["shares"]) for c in top] == [(1, 3), (4, 1)]
    assert client.get("/posts/1/cascade").json()["scale"] == 4
    assert client.get("/posts/4/cascade").json()["scale"] == 2


def test_feed_history_lists_each_logged_feed_newest_first(client: httpx.Client):
    history = client.get("/dashboard/users/1/feeds").json()
    assert [(f["step"], [p["post_id"] for p in f["posts"]]) for f in history["items"]] == [
        (step, FEEDS[step][1]) for step in sorted(FEEDS, reverse=True)
    ]
    assert history["next_before"] is None
    first = client.get("/dashboard/users/1/feeds", params={"limit": 1}).json()
    assert [f["step"] for f in first["items"]] == [4]
    older = client.get("/dashboard/users/1/feeds", params={"before": first["next_before"]}).json()
    assert [f["step"] for f in older["items"]] == [2]
    assert client.get("/dashboard/users/5/feeds").json()["items"] == []
    assert client.get("/dashboard/users/99/feeds").status_code == 404


def test_every_dashboard_list_is_bounded(client: httpx.Client):
    assert MAX_LIMIT <= 500 and FEED_SCAN_STEPS <= 500
    for path, params in [
        ("/dashboard/series", {"limit": MAX_LIMIT + 1}),
        ("/dashboard/cascades", {"limit": 51}),
        ("/dashboard/users/1/feeds", {"limit": 21}),
        ("/dashboard/users/1/interviews", {"limit": MAX_LIMIT + 1}),
    ]:
        assert client.get(path, params=params).status_code == 422, path


def test_experiment_views_are_empty_without_their_data(client: httpx.Client):
    assert client.get("/dashboard/polarization").json() == {
        "source": "none", "groups": {}, "answers_read": 0, "sampled_every": 1,
    }  # fmt: skip
    assert client.get("/dashboard/herd").json() == {"groups": []}
    assert client.get("/dashboard/users/1/interviews").json() == []
    assert client.get("/dashboard/users/1/stances").json() == {"kept": False, "items": []}


INTERVIEW = ActionType.INTERVIEW


def test_polarization_rounds_from_interview_answers(sqlite_url: str):
    platform = Platform.open(sqlite_url)
    platform.start_run(seed=1, config={"name": "pol"})
    signups = [Action(u, ActionType.SIGN_UP, {"user_name": f"u{u}", "name": "U"}) for u in range(4)]
    platform.apply(0, signups)
    answers = ["take the risk", "play it safe", "go for it", "no idea"]
    for step in (1, 2):
        platform.apply(
            step,
            [
                Action(u, INTERVIEW, {"prompt": "?", "response": answers[(u + step) % 4]})
                for u in range(4)
            ],
        )
    platform.close()
    with api_in_thread(sqlite_url) as url:
        body = httpx.get(f"{url}/dashboard/polarization").json()
        mine = httpx.get(f"{url}/dashboard/users/0/interviews").json()
    rounds = body["groups"]["all"]
    assert [r["step"] for r in rounds] == [1, 2]
    assert rounds[0] | {"mean_stance": 0} == {
        "step": 1, "n": 4, "negative": 0.25, "neutral": 0.25, "positive": 0.5,
        "mean_stance": 0, "polarization": pytest.approx(0.6875),
    }  # fmt: skip
    assert [(a["step"], a["stance"]) for a in mine] == [(2, 1), (1, -1)]


def test_the_feed_scan_is_bounded_per_call(sqlite_url: str):
    run_script(sqlite_url)
    platform = Platform.open(sqlite_url, read_only=True)
    with snapshot(platform) as snap:
        found, before = snap.summaries.feed_history(3, None, 5)
    platform.close()
    assert found == [(4, [7])] and before is None


def test_oasis_serve_prints_the_dashboard_url(run_db: str, tmp_path: Path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oasis", "serve", "--db", run_db, "--port", str(port)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert f"dashboard: http://127.0.0.1:{port}/" in line
        deadline = time.monotonic() + 30
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert "OASIS dashboard" in page.text
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.slow
def test_oasis_run_serve_prints_the_dashboard_url(tmp_path: Path):
    (tmp_path / "exp.yaml").write_text(
        "name: tiny\nseed: 3\nsteps: 2\noutput: out\npopulation: {source: synthetic, n_users: 30}\n"
    )
    port = free_port()
    done = subprocess.run(
        [sys.executable, "-m", "oasis", "run", "exp.yaml", "--serve", "--port", str(port)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert f"dashboard: http://127.0.0.1:{port}/ · API: http://127.0.0.1:{port}/docs" in done.stderr
    # It says plainly that the API goes with the run, and how to serve the run after it
    database = f"sqlite:///{(tmp_path / 'out' / 'oasis.db').resolve()}"
    said = " ".join(done.stderr.split())
    stops = "the API stops when the run ends; to read the run after it: oasis serve --db"
    assert f"{stops} '{database}'" in said
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/run", timeout=2)


def test_stored_stances_drive_polarization_and_the_user_page(tmp_path: Path):
    """Runs that keep stances (rows in the ``stance`` table the platform makes) are charted."""
    url = f"sqlite:///{tmp_path}/run.db"
    run_script(url)
    changes = [(1, -1, 0.9), (2, -1, -0.8), (3, -1, 0.0), (2, 2, 0.5), (3, 3, -0.6)]
    with sqlite3.connect(tmp_path / "run.db") as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS stance (user_id INTEGER, step INTEGER, stance FLOAT,"
            " PRIMARY KEY (user_id, step))"
        )
        db.executemany("INSERT INTO stance VALUES (?, ?, ?)", changes)
    with api_in_thread(url) as base:
        body = httpx.get(f"{base}/dashboard/polarization").json()
        mine = httpx.get(f"{base}/dashboard/users/2/stances").json()
        none = httpx.get(f"{base}/dashboard/users/5/stances").json()
    assert (body["source"], body["sampled_every"]) == ("stances", 1)
    at = {r["step"]: r for r in body["groups"]["all"]}
    assert sorted(at) == [-1, 0, 1, 2, 3, 4]

    def shares(step: int) -> tuple[float, ...]:
        return tuple(round(3 * at[step][k], 6) for k in ("positive", "neutral", "negative"))

    assert [shares(s) for s in (-1, 0, 1, 2, 3, 4)] == [
        (1, 1, 1), (1, 1, 1), (1, 1, 1), (2, 1, 0), (2, 0, 1), (2, 0, 1),
    ]  # fmt: skip
    assert mine == {
        "kept": True, "items": [{"step": -1, "stance": -0.8}, {"step": 2, "stance": 0.5}],
    }  # fmt: skip
    assert none == {"kept": True, "items": []}


def test_herd_view_equals_the_results_table(herd_run):
    config, table = herd_run
    expected = herd_effect(table)
    with api_in_thread(config.database_url) as base:
        groups = httpx.get(f"{base}/dashboard/herd").json()["groups"]
    assert [(g["group"], g["n"], g["mean_score"]) for g in groups] == [
        (group, int(row.n), float(row.mean_score)) for group, row in expected.iterrows()
    ]
    assert [g["mean_score"] for g in groups] == [1.0, -1.0, 0.0]


def test_reference_figures_of_a_topic_run(sqlite_url: str, client: httpx.Client):
    assert client.get("/dashboard/reference").json() == {
        "topic": None, "num_users": None, "max_depth": None,
    }  # fmt: skip
    topic = "True_Terrorism & War_6"
    platform = Platform.open(sqlite_url)
    platform.start_run(seed=1, config={"population": {"source": "topic", "topic": topic}})
    platform.close()
    with api_in_thread(sqlite_url) as base:
        body = httpx.get(f"{base}/dashboard/reference").json()
    assert body == {"topic": topic, "num_users": 534, "max_depth": 4}


def test_a_stored_config_of_an_older_version_leaves_the_experiment_views_empty(sqlite_url: str):
    platform = Platform.open(sqlite_url)
    old = {"candidate_window_steps": 3, "herd": {"threads": 4}, "population": {"source": "topic"}}
    platform.start_run(seed=1, config=old)
    platform.close()
    with api_in_thread(sqlite_url) as base:
        herd = httpx.get(f"{base}/dashboard/herd")
        reference = httpx.get(f"{base}/dashboard/reference")
    assert (herd.status_code, herd.json()) == (200, {"groups": []})
    assert reference.json() == {"topic": None, "num_users": None, "max_depth": None}
