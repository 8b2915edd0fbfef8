"""The dashboard in a real headless Chromium, against a live run through the scripted LLM server.

The tests share one run, but none depends on another having run: each first brings the run to
the state it needs (stepping, or standing still after a pause, with a cascade to show) and waits
on events for it (a step committed, the loop parked in its pause), never on a clock.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from oasis.api import CommandQueue, serve_in_thread
from oasis.loop.simulation import Simulation
from oasis.loop.step_runner import StepReport
from oasis.testing.replies import with_latency
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.api.browser import screenshot, text, wait_for
from tests.api.conftest import api_in_thread
from tests.factories import acting_reply, experiment

pytestmark = pytest.mark.slow
TOKEN = "dash-token"
STEPS = 100_000  # never reached: the fixture ends the run when the module is done
WAIT_S = 120.0


class WatchedQueue(CommandQueue):
    """The run's command queue, telling the tests when the loop is parked in a pause."""

    def __init__(self) -> None:
        super().__init__()
        self.standing = threading.Event()

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        if self.paused:
            self.standing.set()  # the loop stands between steps: nothing commits until resumed
        running = super().wait_while_paused(timeout)
        if running:
            self.standing.clear()
        return running


class EndOfTests(Exception):
    """Raised after a step to end the run when the module's tests are done."""


@dataclass
class Live:
    """A simulation stepping in a thread, its API, and an HTTP client of that API."""

    url: str
    http: httpx.Client
    queue: WatchedQueue
    simulation: Simulation
    committed: threading.Condition
    steps: list[int]

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def step(self) -> int:
        return int(self.get("/run")["current_step"])

    def wait_for_step(self, after: int) -> int:
        """Block until a step later than ``after`` is committed; return it."""
        with self.committed:
            if not self.committed.wait_for(lambda: self.steps[-1] > after, WAIT_S):
                raise AssertionError(f"no step committed after {after}")
            return self.steps[-1]

    def running(self) -> int:
        """Resume the run (if paused) and wait for a step committed since; return it."""
        last = self.steps[-1]
        self.queue.resume()
        return self.wait_for_step(last)

    def standing(self, until: Callable[[], bool] | None = None) -> int:
        """Step until ``until()`` holds, then pause and wait until the loop stands still."""
        while not (until() if until else self.steps[-1] >= 1):
            self.running()
        self.queue.pause()
        assert self.queue.standing.wait(WAIT_S), "the loop did not stop at the pause"
        return self.steps[-1]

    def with_a_cascade(self) -> bool:
        return bool(self.get("/dashboard/cascades", limit=1))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("dashboard")
    with ScriptedLLMServer(with_latency(0.1, acting_reply)) as llm:
        config = experiment(
            tmp,
            "dashboard",
            steps=STEPS,
            llm={"endpoints": [llm.base_url], "model": "scripted"},
            policy={"llm_share": 0.2},
        )
        queue = WatchedQueue()
        with Simulation.open(config, controller=queue) as simulation:
            server = serve_in_thread(config.database_url, port=0, token=TOKEN, controller=queue)
            committed, steps, done = threading.Condition(), [-1], threading.Event()

            def on_step(report: StepReport) -> None:
                with committed:
                    steps.append(report.step)
                    committed.notify_all()
                if done.is_set():
                    raise EndOfTests

            def run() -> None:
                with contextlib.suppress(EndOfTests):
                    simulation.run(on_step)

            runner = threading.Thread(target=run, daemon=True)
            runner.start()
            host, port = server.address
            try:
                with httpx.Client(base_url=f"http://{host}:{port}", timeout=30) as http:
                    yield Live(f"http://{host}:{port}", http, queue, simulation, committed, steps)
            finally:
                done.set()
                queue.resume()
                runner.join(WAIT_S)
                server.stop()


def show(driver: WebDriver, live: Live, hash_: str) -> None:
    driver.get(f"{live.url}/#{hash_}")
    wait_for(lambda: driver.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))


def use_token(driver: WebDriver, token: str) -> None:
    field = driver.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#token-form button").click()


def test_overview_step_counter_advances(browser: WebDriver, live: Live):
    live.running()
    show(browser, live, "overview")
    first = int(wait_for(lambda: re.fullmatch(r"-?\d+", text(browser, "#step"))).group())
    wait_for(lambda: int(text(browser, "#step")) > first, what="the step counter to advance")
    assert text(browser, "#run-name") == "dashboard"
    assert text(browser, "#status") in {"running", "RUNNING"}


def test_pause_through_the_page_stops_the_run(browser: WebDriver, live: Live):
    live.running()
    show(browser, live, "control")
    use_token(browser, TOKEN)
    browser.find_element(By.ID, "pause").click()
    wait_for(lambda: live.queue.paused, what="the queue to be paused")
    wait_for(lambda: "paused" in text(browser, "#control-message"))
    # A step in flight when the pause came still commits; after it the loop stands.
    assert live.queue.standing.wait(WAIT_S), "the loop did not stop at the pause"
    stopped = live.steps[-1]
    wait_for(lambda: live.get("/dashboard/overview")["status"] == "paused")
    assert live.step() == stopped >= 0 and live.queue.standing.is_set()
    wait_for(lambda: text(browser, "#status").lower() == "paused")


def test_charts_hold_one_point_per_step(browser: WebDriver, live: Live):
    live.standing(until=lambda: live.steps[-1] >= 2)
    show(browser, live, "overview")

    def points_match() -> bool:
        # Read the API and the page together until they agree (the page polls once a second).
        steps = live.get("/run")["steps_recorded"]
        assert steps == len(live.get("/steps", limit=500)["items"])
        charts = ("active", "by-type", "failed", "llm", "tokens")
        shown = [
            browser.find_element(By.CSS_SELECTOR, f'svg[data-chart="{c}"]').get_attribute(
                "data-points"
            )
            for c in charts
        ]
        line = browser.find_element(By.CSS_SELECTOR, 'svg[data-chart="active"] polyline')
        return (
            shown == [str(steps)] * len(charts)
            and len(line.get_attribute("points").split()) == steps
        )

    wait_for(points_match, what="charts with one point per step")
    screenshot(browser, "overview")


def test_cascade_numbers_equal_the_api(browser: WebDriver, live: Live):
    live.standing(until=live.with_a_cascade)
    show(browser, live, "cascades")
    wait_for(lambda: browser.find_element(By.ID, "cascade-table").get_attribute("data-ready"))
    rows = browser.find_elements(By.CSS_SELECTOR, "tr[data-root]")
    top = live.get("/dashboard/cascades", limit=6)
    assert [int(r.get_attribute("data-root")) for r in rows] == [c["post_id"] for c in top]
    for row in rows:
        api = live.get(f"/posts/{row.get_attribute('data-root')}/cascade", limit=1)
        cells = ("scale", "depth", "breadth")
        shown = [row.find_element(By.CSS_SELECTOR, f".{c}").text for c in cells]
        assert shown == [str(api["scale"]), str(api["depth"]), str(api["max_breadth"])]
    rows[0].click()
    tree = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "#cascade-tree svg"))
    nodes = live.get(f"/posts/{rows[0].get_attribute('data-root')}/cascade", limit=300)["nodes"]
    assert tree.get_attribute("data-nodes") == str(len(nodes["items"]))
    screenshot(browser, "cascades")
    screenshot(browser, "cascade-tree", at="#chart-breadth")


def test_user_page_shows_the_feed_log(browser: WebDriver, live: Live):
    live.standing(until=lambda: live.steps[-1] >= 1)
    user, feed = next(
        (u, f)
        for u in range(50)
        if (f := live.http.get(f"/users/{u}/feed", params={"limit": 500})).status_code == 200
    )
    feed = feed.json()
    show(browser, live, f"user/{user}")
    first = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "#feed-log .feed-step"))
    assert first.get_attribute("data-step") == str(feed["step"])
    shown = [li.get_attribute("data-post") for li in first.find_elements(By.TAG_NAME, "li")]
    assert shown == [str(p["post_id"]) for p in feed["items"]]
    profile = live.get(f"/users/{user}")
    assert text(browser, "#followers") == str(profile["num_followers"])
    assert text(browser, "#followees") == str(profile["num_followings"])
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#user-actions tbody tr"))
    screenshot(browser, "user")


def test_posts_view_lists_top_posts_and_a_post(browser: WebDriver, live: Live):
    def top_posts() -> bool:
        return live.steps[-1] >= 1 and bool(live.get("/posts/top", window=live.step() + 1)["items"])

    live.standing(until=top_posts)
    show(browser, live, "posts")
    cards = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#post-list .post"))
    step = live.step()
    top = live.get("/posts/top", window=step + 1, limit=20)["items"]
    assert [c.get_attribute("data-post") for c in cards] == [str(p["post_id"]) for p in top]
    cards[0].click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#post-detail .post"))
    screenshot(browser, "posts")


def test_control_is_refused_without_the_token(browser: WebDriver, live: Live):
    before = live.standing()
    show(browser, live, "control")
    use_token(browser, "")
    for button in ("resume", "pause"):
        browser.execute_script("document.getElementById('control-message').textContent = ''")
        browser.find_element(By.ID, button).click()
        wait_for(lambda: "refused (401)" in text(browser, "#control-message"))
        assert "token" in text(browser, "#control-message")
    use_token(browser, "wrong")
    browser.execute_script("document.getElementById('control-message').textContent = ''")
    browser.find_element(By.ID, "resume").click()
    wait_for(lambda: "refused (401)" in text(browser, "#control-message"))
    # refused, so the loop still stands where it stood
    assert live.queue.paused and live.queue.standing.is_set() and live.steps[-1] == before
    assert live.step() == before
    screenshot(browser, "control-refused")


def test_resume_through_the_page_restarts_the_run(browser: WebDriver, live: Live):
    stopped = live.standing()
    show(browser, live, "control")
    use_token(browser, TOKEN)
    assert live.step() == stopped
    form = browser.find_element(By.ID, "inject-post")
    form.find_element(By.NAME, "user_id").send_keys("4")
    form.find_element(By.NAME, "content").send_keys("breaking news from the dashboard")
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#command-log li"))
    interview = browser.find_element(By.ID, "interview")
    llm_agents = [int(u) for u in live.simulation.roster.llm_ids[:3]]
    interview.find_element(By.NAME, "user_ids").send_keys(",".join(map(str, llm_agents)))
    interview.find_element(By.NAME, "question").send_keys("Do you support the policy?")
    interview.find_element(By.CSS_SELECTOR, "button").click()
    wait_for(lambda: len(browser.find_elements(By.CSS_SELECTOR, "#command-log li")) == 2)
    browser.find_element(By.ID, "resume").click()
    wait_for(lambda: not live.queue.paused, what="the queue to resume")
    live.wait_for_step(stopped)  # the run steps again
    # The injected post's effect shows once the next step is committed.
    effect = wait_for(
        lambda: (
            [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#command-log .effect")]
            if len(browser.find_elements(By.CSS_SELECTOR, "#command-log .effect")) == 2
            else None
        ),
        timeout=30,
    )
    posted = next(e for e in effect if e.startswith("published as post"))
    assert posted.endswith(f"at step {stopped + 1}")
    assert any("supports the policy" in e for e in effect)
    screenshot(browser, "control")
    show(browser, live, "experiments")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, 'svg[data-chart="polarization"]'))
    screenshot(browser, "experiments")


def test_herd_view_of_a_finished_herd_run(browser: WebDriver, voted_herd_run):
    config, _ = voted_herd_run
    with api_in_thread(config.database_url, token=None) as url:
        browser.get(f"{url}/#experiments")
        chart = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, 'svg[data-chart="herd"]'))
        groups = httpx.get(f"{url}/dashboard/herd").json()["groups"]
        assert len(chart.find_elements(By.TAG_NAME, "rect")) == len(groups) == 3
        assert text(browser, "#status").lower() == "finished"
        screenshot(browser, "experiments-herd")


def test_a_quote_shows_the_text_it_quotes(browser: WebDriver, run_db: str):
    with api_in_thread(run_db, token=None) as base:
        browser.get(f"{base}/#posts")
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#post-list .post"))
        quoted = {
            card.get_attribute("data-post"): card.find_element(By.CSS_SELECTOR, ".quoted").text
            for card in browser.find_elements(By.CSS_SELECTOR, "#post-list .post")
            if card.find_elements(By.CSS_SELECTOR, ".quoted")
        }
        assert quoted == {"4": "hello world", "6": "so true"}  # 6 quotes the quote 4


def test_step_time_chart_stacks_every_phase(browser: WebDriver, tmp_path: Path):
    config = experiment(tmp_path, "phases", steps=4)
    with Simulation.open(config) as simulation:
        simulation.run()
    with api_in_thread(config.database_url, token=None) as url:
        points = httpx.get(f"{url}/dashboard/series").json()["items"]
        phases = {n for p in points for n in (*p["phases"], *p["previous_step_phases"])}
        assert {"feeds", "decisions", "apply", "commit", "advance"} <= phases
        browser.get(f"{url}/#overview")
        chart = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, 'svg[data-chart="phases"]'))
        drawn = chart.find_elements(By.CSS_SELECTOR, "g[data-series]")
        assert {g.get_attribute("data-series") for g in drawn} == {
            n.replace("_", " ") for n in phases
        }
        assert chart.get_attribute("data-points") == str(len(points)) == "4"
        screenshot(browser, "step-time", at="#chart-phases")
