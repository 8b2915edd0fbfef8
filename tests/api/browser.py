"""A headless Chromium driven by Selenium (Debian's chromium and chromium-driver, no download)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# Screenshots land in the test run's results: $OASIS_TEST_RESULTS, else test-results/ here.
RESULTS = Path(os.environ.get("OASIS_TEST_RESULTS", ROOT / "test-results")) / "dashboard"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,800",
)

T = TypeVar("T")


def chromium() -> Iterator[object]:
    """A Chrome WebDriver session over Debian's chromium; skipped where it is not installed."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    # The viewport itself is 1280x800, whatever the window's own chrome takes.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        yield driver
    finally:
        driver.quit()


def text(driver: object, css: str) -> str:
    """The text of the element ``css`` selects."""
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.CSS_SELECTOR, css).text)  # type: ignore[attr-defined]


def wait_for(check: Callable[[], T | None], timeout: float = 20.0, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as exc:  # a stale element or a page still loading: try again
            last = exc
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}: {last!r}")


def screenshot(driver: object, name: str, at: str | None = None) -> Path:
    """Save a 1280x800 screenshot of the view (scrolled to the element ``at``) into the results."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.png"
    scroll = f"document.querySelector({at!r}).scrollIntoView()" if at else "window.scrollTo(0, 0)"
    driver.execute_script(f"document.activeElement.blur(); {scroll};")  # type: ignore[attr-defined]
    time.sleep(0.2)
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    return path
