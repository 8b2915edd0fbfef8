"""Dashboard views pinned in a real headless Chromium, each test on a database of its own.

The herd pane shows what the herd analysis shows (over the session's finished herd run); a wide
one-level cascade tree is drawn at a readable size with its nodes labelled; stored stances are
charted per seed group under a title that says so; a profile without a persona prints nothing
for it.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from oasis.analysis.herd import herd_intervals, permutation_tests
from oasis.core.actions import Action, ActionType
from oasis.datasets.settings import BUILTIN_DATA
from oasis.platform import Platform, StanceRecord
from tests.api.browser import screenshot, wait_for
from tests.api.conftest import api_in_thread

pytestmark = pytest.mark.slow


def _sign_ups(count: int) -> list[Action]:
    return [
        Action(u, ActionType.SIGN_UP, {"user_name": f"u{u}", "name": f"U {u}"})
        for u in range(count)
    ]


def test_the_herd_pane_shows_the_agents_votes_with_intervals(browser: WebDriver, voted_herd_run):
    config, comments = voted_herd_run
    expected = herd_intervals(comments)
    p_values = permutation_tests(comments).set_index("comparison")["p_value"]
    with api_in_thread(config.database_url, token=None) as url:
        groups = {g["group"]: g for g in httpx.get(f"{url}/dashboard/herd").json()["groups"]}
        for group, row in expected.iterrows():
            shown = groups[str(group)]
            assert shown["agents_mean_score"] == pytest.approx(row["mean_score"])
            assert shown["agents_lo_score"] == pytest.approx(row["lo_score"])
            assert shown["agents_hi_score"] == pytest.approx(row["hi_score"])
        assert groups["up"]["p_value"] == pytest.approx(p_values["up vs control"])
        assert groups["control"]["p_value"] is None
        browser.get(f"{url}/#experiments")
        chart = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, 'svg[data-chart="herd"]'))
        titles = [r.find_element(By.TAG_NAME, "title").get_attribute("textContent")
                  for r in chart.find_elements(By.TAG_NAME, "rect")]  # fmt: skip
        assert titles == [
            f"{g}: {groups[g]['agents_mean_score']:.2f} "
            f"({groups[g]['agents_lo_score']:.2f} to {groups[g]['agents_hi_score']:.2f})"
            for g in groups
        ]
        assert len(chart.find_elements(By.CSS_SELECTOR, "g.interval")) == 3
        note = browser.find_element(By.ID, "herd-note").text
        assert "planted vote left out" in note and "up vs control p =" in note
        screenshot(browser, "herd-intervals", at="#chart-herd")


def test_a_wide_one_level_cascade_tree_is_readable(browser: WebDriver, tmp_path: Path):
    url = f"sqlite:///{tmp_path}/wide.db"
    platform = Platform.open(url)
    platform.start_run(seed=1, config={"name": "wide"})
    platform.apply(0, _sign_ups(61))
    platform.apply(1, [Action(0, ActionType.CREATE_POST, {"content": "the news"})])
    platform.apply(2, [Action(u, ActionType.REPOST, {"post_id": 1}) for u in range(1, 61)])
    platform.close()
    with api_in_thread(url, token=None) as base:
        browser.get(f"{base}/#cascades")
        row = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, 'tr[data-root="1"]'))
        row.click()
        tree = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "#cascade-tree svg"))
        assert tree.get_attribute("data-nodes") == "61"
        box = browser.execute_script("return arguments[0].getBoundingClientRect()", tree)
        assert box["height"] >= 140 and box["width"] >= 60 * 30  # drawn at its size, scrolled
        labels = tree.find_elements(By.CSS_SELECTOR, "text.node-label")
        assert len(labels) == 61
        assert labels[0].get_attribute("textContent") == "post 1 u0" or any(
            label.get_attribute("textContent") == "post 1 u0" for label in labels
        )
        boxes = [
            browser.execute_script("return arguments[0].getBoundingClientRect()", label)
            for label in labels
            if label.get_attribute("textContent") != "post 1 u0"
        ]
        assert min(b["height"] for b in boxes) >= 10  # legible text, not a scaled-down sliver
        lefts = sorted(b["left"] for b in boxes)
        widths = max(b["width"] for b in boxes)
        assert min(np.diff(lefts)) >= widths  # side by side, never on top of each other
        screenshot(browser, "cascade-wide", at="#cascade-tree")


def test_stored_stances_are_charted_per_seed_group(browser: WebDriver, tmp_path: Path):
    folder = BUILTIN_DATA / "twitter" / "group_polarization"
    groups = {"conservative": str(folder / "197_baoshou.csv"),
              "progressive": str(folder / "197_progressive.csv")}  # fmt: skip
    url = f"sqlite:///{tmp_path}/pol.db"
    platform = Platform.open(url)
    config = {"name": "pol", "population": {"source": "twitter", "groups": groups}}
    platform.start_run(seed=1, config=config)
    platform.apply(0, _sign_ups(4))
    # agents 0 and 1 are the first file's (conservative), 197 and 198 the second's
    ids = np.array([0, 1, 197, 198], np.int64)
    platform.save_stances(-1, StanceRecord(ids, np.array([-0.6, -0.4, 0.5, 0.7])))
    platform.close()
    with api_in_thread(url, token=None) as base:
        body = httpx.get(f"{base}/dashboard/polarization").json()
        assert body["source"] == "stances"
        assert list(body["groups"]) == ["all", "conservative", "progressive"]
        means = {g: rounds[-1]["mean_stance"] for g, rounds in body["groups"].items()}
        assert means == pytest.approx({"all": 0.05, "conservative": -0.5, "progressive": 0.6})
        browser.get(f"{base}/#experiments")
        chart = wait_for(
            lambda: browser.find_element(By.CSS_SELECTOR, 'svg[data-chart="polarization"]')
        )
        assert len(chart.find_elements(By.TAG_NAME, "polyline")) == 3
        title = browser.find_element(By.ID, "polarization-title").text
        assert "stored stances" in title and "interview" not in title
        screenshot(browser, "polarization-groups", at="#chart-polarization")


def test_a_profile_without_persona_or_bio_prints_nothing_for_them(
    browser: WebDriver, tmp_path: Path
):
    url = f"sqlite:///{tmp_path}/people.db"
    platform = Platform.open(url)
    platform.start_run(seed=1, config={"name": "people"})
    platform.apply(0, _sign_ups(2))
    platform.close()
    with api_in_thread(url, token=None) as base:
        browser.get(f"{base}/#user/1")
        profile = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "#user-profile b"))
        assert profile.text == "U 1"
        shown = browser.find_element(By.ID, "user-profile")
        assert "null" not in shown.text and "None" not in shown.text
        assert shown.find_elements(By.TAG_NAME, "p") == []
