"""People join a running simulation from the browser, with participants' tokens.

A simulation steps in a thread over SQLite, reading its control queue from its database as
``oasis run`` does; the API (a real uvicorn server) writes into it. Each test issues its own
tokens and plays its own users, so the tests run in any order.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from oasis.api import serve_in_thread
from oasis.loop.commands import StoredCommands
from oasis.loop.simulation import Simulation
from oasis.platform import Platform
from tests.api.browser import screenshot, text, wait_for
from tests.factories import experiment

pytestmark = pytest.mark.slow
OPERATOR = "operator-token"
STEPS = 2000


@dataclass
class Live:
    """A stepping simulation, its API's address and an HTTP client of it."""

    url: str
    http: httpx.Client
    simulation: Simulation

    def issue(self, user_id: int | None = None) -> dict[str, Any]:
        response = self.http.post(
            "/control/tokens",
            json={"label": "test", "user_id": user_id},
            headers={"Authorization": f"Bearer {OPERATOR}"},
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.http.get(path, params=params, headers=headers)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    config = experiment(tmp_path_factory.mktemp("people"), "people", steps=STEPS)
    with Simulation.open(config) as simulation:  # reads the control queue in its database
        writer = Platform.open(config.database_url)
        server = serve_in_thread(
            config.database_url,
            port=0,
            token=OPERATOR,
            controller=StoredCommands(writer.commands()),
        )
        stop = threading.Event()

        def run() -> None:
            while not stop.is_set() and simulation.next_step < STEPS:
                simulation.step()
                stop.wait(0.4)  # a pace a person can follow

        runner = threading.Thread(target=run, daemon=True)
        runner.start()
        host, port = server.address
        try:
            with httpx.Client(base_url=f"http://{host}:{port}", timeout=30) as http:
                yield Live(f"http://{host}:{port}", http, simulation)
        finally:
            stop.set()
            runner.join(60)
            server.stop()
            writer.close()


def sign_in(driver: WebDriver, live: Live, token: str) -> None:
    driver.get(f"{live.url}/join")
    wait_for(lambda: driver.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))
    field = driver.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#token-form button").click()
    wait_for(lambda: text(driver, "#standing") != "not signed in", what="the standing")


def joined(driver: WebDriver) -> bool:
    return driver.find_element(By.TAG_NAME, "body").get_attribute("data-standing") == "joined"


def timeline(driver: WebDriver) -> tuple[int, list[int]] | None:
    step = driver.find_element(By.ID, "timeline").get_attribute("data-step")
    entries = driver.find_elements(By.CSS_SELECTOR, "#timeline .entry")
    posts = [int(e.get_attribute("data-post")) for e in entries]
    return (int(step), posts) if step and posts else None


def post_and_follow(driver: WebDriver, content: str) -> int:
    """Publish ``content`` and follow the first other author in the timeline; the author."""
    compose = driver.find_element(By.ID, "compose")
    compose.find_element(By.NAME, "content").send_keys(content)
    compose.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    follow = wait_for(
        lambda: driver.find_element(
            By.XPATH, "//div[@id='timeline']//button[starts-with(text(), 'Follow user')]"
        )
    )
    author = int(follow.text.removeprefix("Follow user "))
    follow.click()
    return author


def outcomes(live: Live, token: str) -> list[dict[str, Any]]:
    return [c for c in live.get("/people/me/commands", token) if c["kind"] == "person_act"]


def settled(live: Live, token: str, count: int) -> list[dict[str, Any]] | None:
    done = [c for c in outcomes(live, token) if c["status"] == "done"]
    return done if len(done) >= count else None


def test_two_people_join_see_their_own_feeds_post_and_follow(browser: WebDriver, live: Live):
    newcomer, taker = live.issue(), live.issue(user_id=7)
    sign_in(browser, live, newcomer["token"])
    # shown once the page has rendered the newcomer's standing
    form = wait_for(lambda: (f := browser.find_element(By.ID, "join-form")).is_displayed() and f)
    form.find_element(By.NAME, "user_name").send_keys("alice_in_the_sim")
    form.find_element(By.NAME, "name").send_keys("Alice (a person)")
    form.find_element(By.NAME, "bio").send_keys("I read and post like everyone here.")
    screenshot(browser, "people-join")
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait_for(lambda: joined(browser), timeout=60, what="the new user to join")
    alice = int(text(browser, "#who").removeprefix("user "))
    seen = wait_for(lambda: timeline(browser), timeout=60, what="the newcomer's timeline")
    feed = live.get(f"/users/{alice}/feed", step=seen[0], limit=30)
    assert seen == (feed["step"], [p["post_id"] for p in feed["items"]])
    followed = post_and_follow(browser, "Hello from Alice, a person among the agents")
    wait_for(lambda: settled(live, newcomer["token"], 2), timeout=60, what="Alice's actions")
    wait_for(lambda: len(browser.find_elements(By.CSS_SELECTOR, "#my-commands .ok")) >= 3)
    screenshot(browser, "people-timeline")

    sign_in(browser, live, taker["token"])
    wait_for(lambda: not browser.find_element(By.ID, "takeover").get_attribute("hidden"))
    browser.find_element(By.ID, "takeover-button").click()
    wait_for(lambda: joined(browser), timeout=60, what="the take-over")
    seen7 = wait_for(lambda: timeline(browser), timeout=60, what="user 7's timeline")
    feed7 = live.get("/users/7/feed", step=seen7[0], limit=30)
    assert seen7 == (feed7["step"], [p["post_id"] for p in feed7["items"]])
    post_and_follow(browser, "User 7 speaking: a person took over this agent")
    done = wait_for(lambda: settled(live, taker["token"], 2), timeout=60, what="7's actions")

    assert all(c["result"]["ok"] for c in done)
    follows = live.get(f"/users/{alice}/followees")["items"]
    assert followed in [u["user_id"] for u in follows]
    mine = live.get("/traces", actor="person", limit=200)["items"]
    assert {alice, 7} <= {t["user_id"] for t in mine}
    posted = {
        t["result"]["post_id"]
        for t in mine
        if t["action"] == "create_post" and t["ok"] and t["user_id"] in (alice, 7)
    }
    wait_for(lambda: _shown_to_an_agent(live, posted, {alice, 7}), timeout=90,
             what="an agent's feed with a person's post")  # fmt: skip


def _shown_to_an_agent(live: Live, posts: set[int], people: set[int]) -> bool:
    for user in range(50):
        if user in people:
            continue
        response = live.http.get(f"/users/{user}/feed", params={"limit": 100})
        if response.status_code == 200 and posts & {p["post_id"] for p in response.json()["items"]}:
            return True
    return False


def test_a_participants_token_is_refused_on_control_and_on_another_users_actions(live: Live):
    mine, other = live.issue(user_id=11), live.issue(user_id=12)
    bearer = {"Authorization": f"Bearer {mine['token']}"}
    for method, path in [("POST", "/control/pause"), ("GET", "/control/status"),
                         ("POST", "/control/tokens"), ("GET", "/control/tokens")]:  # fmt: skip
        response = live.http.request(method, path, headers=bearer, json={})
        assert response.status_code == 401, (path, response.text)
    assert live.http.post("/people/join", headers=bearer, json={}).status_code == 202
    wait_for(lambda: live.get("/people/me", mine["token"])["joined"], timeout=60)
    action = {"action": "create_post", "args": {"content": "not mine to post"}}
    for user in (other["user_id"], 7):
        response = live.http.post(f"/people/{user}/actions", headers=bearer, json=action)
        assert response.status_code == 403, response.text
    assert live.http.post("/people/11/actions", headers=bearer, json=action).status_code == 202
    revoked = live.http.delete(
        f"/control/tokens/{mine['token_id']}", headers={"Authorization": f"Bearer {OPERATOR}"}
    )
    assert revoked.json()["revoked"] is True
    response = live.http.post("/people/11/actions", headers=bearer, json=action)
    assert response.status_code == 401 and "revoked" in response.json()["message"]
    assert live.http.get("/people/me").status_code == 401
