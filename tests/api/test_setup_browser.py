"""The set-up page builds an experiment by form, checked as typed with the CLI's own errors."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from oasis.api import CommandQueue, serve_in_thread
from oasis.config import validate_experiment
from oasis.platform import Platform
from tests.api.browser import ROOT, screenshot, wait_for
from tests.simulation.test_cli import oasis

pytestmark = pytest.mark.slow
QUICKSTART = {  # examples/quickstart.yaml, field by field
    "name": "quickstart",
    "seed": "42",
    "steps": "12",
    "output": "../results/quickstart",
    "population.source": "synthetic",
    "population.n_users": "500",
    "activation.kind": "profile",
    "clock.start": "2026-01-05T08:00:00",
    "clock.minutes_per_step": "60",
    "recsys.kind": "twitter",
    "recsys.k": "10",
}


@pytest.fixture
def page(run_db: str, browser: WebDriver) -> Iterator[WebDriver]:
    server = serve_in_thread(run_db, port=0)
    host, port = server.address
    try:
        yield opened(browser, f"http://{host}:{port}/setup")
    finally:
        server.stop()


def opened(driver: WebDriver, url: str) -> WebDriver:
    driver.get(url)
    wait_for(lambda: driver.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))
    return driver


def fill(driver: WebDriver, path: str, value: str) -> None:
    section = path.rpartition(".")[0]
    if section:
        details = driver.find_element(By.CSS_SELECTOR, f'details[data-section="{section}"]')
        if details.get_attribute("open") is None:
            details.find_element(By.TAG_NAME, "summary").click()
    field = driver.find_element(By.ID, f"f-{path}")
    if field.tag_name == "select":
        Select(field).select_by_value(value)
    else:
        field.clear()
        field.send_keys(value)


def test_the_form_builds_quickstart_and_shows_the_clis_error(page: WebDriver, tmp_path: Path):
    for path, value in QUICKSTART.items():
        fill(page, path, value)
    wait_for(lambda: "k: 10" in page.find_element(By.ID, "yaml").text, what="the last field")
    assert page.find_element(By.ID, "verdict").text.lower() == "valid"
    built = yaml.safe_load(page.find_element(By.ID, "yaml").text)
    expected = yaml.safe_load((ROOT / "examples" / "quickstart.yaml").read_text())
    assert validate_experiment(built, "page") == validate_experiment(expected, "file")
    assert page.find_element(By.ID, "download").get_attribute("href").startswith("blob:")
    screenshot(page, "setup")

    fill(page, "population.n_users", "-5")
    shown = wait_for(
        lambda: (
            page.find_element(By.ID, "error").text
            if "n_users" in page.find_element(By.ID, "error").text
            else None
        ),
        what="the error",
    )
    (tmp_path / "experiment.yaml").write_text(page.find_element(By.ID, "yaml").text)
    cli = oasis("run", "experiment.yaml", cwd=tmp_path)
    assert cli.returncode == 2
    assert shown == cli.stderr.strip()
    assert page.find_element(By.ID, "verdict").text.lower() == "invalid"
    screenshot(page, "setup-error")


def test_with_launching_allowed_the_page_starts_the_run_and_opens_its_dashboard(
    run_db: str, tmp_path: Path, browser: WebDriver
):
    refused = serve_in_thread(run_db, port=0, token="op", controller=CommandQueue())
    try:
        host, port = refused.address
        answer = httpx.post(f"http://{host}:{port}/control/launch", json={},
                            headers={"Authorization": "Bearer op"})  # fmt: skip
        assert answer.status_code == 403 and "--allow-launch" in answer.json()["message"]
    finally:
        refused.stop()
    server = serve_in_thread(
        run_db, port=0, token="op", controller=CommandQueue(), launch_dir=tmp_path / "launched"
    )
    host, port = server.address
    pid = None
    try:
        page = opened(browser, f"http://{host}:{port}/setup")
        for path, value in {**QUICKSTART, "output": "out", "steps": "400"}.items():
            fill(page, path, value)
        wait_for(lambda: "steps: 400" in page.find_element(By.ID, "yaml").text)
        page.find_element(By.ID, "launch-token").send_keys("op")
        page.find_element(By.CSS_SELECTOR, "#launch button").click()
        url = wait_for(lambda: page.find_element(By.ID, "launch").get_attribute("data-url"))
        message = page.find_element(By.ID, "launch-message").text
        pid = int(message.split("process ")[1].split(",")[0])
        wait_for(lambda: page.current_url == url, timeout=240, what="the run's dashboard")
        wait_for(lambda: page.find_element(By.ID, "run-name").text == "quickstart", timeout=60)
        screenshot(page, "setup-launched")
        launched = next((tmp_path / "launched").iterdir())
        assert yaml.safe_load((launched / "experiment.yaml").read_text())["steps"] == 400
        stop_from_the_list(f"http://{host}:{port}", launched, pid)
    finally:
        server.stop()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)  # the run we started, in its own session


def stop_from_the_list(base: str, folder: Path, pid: int) -> None:
    """The operator lists the launched runs and stops this one; its run is marked stopped."""
    with httpx.Client(base_url=base, headers={"Authorization": "Bearer op"}) as client:
        [listed] = client.get("/control/launch").json()
        assert (listed["name"], listed["pid"], listed["running"]) == (folder.name, pid, True)
        assert client.post("/control/launch/elsewhere/stop").status_code == 404
        stopped = client.post(f"/control/launch/{folder.name}/stop")
        assert stopped.status_code == 200, stopped.text
        wait_for(lambda: not client.get("/control/launch").json()[0]["running"], timeout=60)
        assert client.post(f"/control/launch/{folder.name}/stop").status_code == 409
    platform = Platform.open(f"sqlite:///{folder / 'out' / 'oasis.db'}", read_only=True)
    try:
        run = platform.run_info()
    finally:
        platform.close()
    assert run is not None and run.status == "stopped" and run.last_step < 399
