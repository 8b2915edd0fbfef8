"""The set-up page builds an experiment by form, checked as typed with the CLI's own errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from oasis.api import serve_in_thread
from oasis.config import validate_experiment
from tests.api.browser import ROOT, chromium, screenshot, wait_for
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
def page(run_db: str) -> Iterator[WebDriver]:
    server = serve_in_thread(run_db, port=0)
    host, port = server.address
    try:
        for driver in chromium():
            yield opened(driver, f"http://{host}:{port}/setup")  # type: ignore[arg-type]
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
