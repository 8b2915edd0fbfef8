"""``/docs`` works offline: Swagger UI's files come from the API itself, not from a CDN."""

from __future__ import annotations

import re

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.api.browser import screenshot, wait_for
from tests.api.conftest import api_in_thread


def test_docs_reference_no_other_host_and_their_assets_load(client: httpx.Client):
    page = client.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page.text)
    links += re.findall(r"""url:\s*['"]([^'"]+)['"]""", page.text)  # the spec SwaggerUI reads
    assert links and not [u for u in links if re.match(r"(https?:)?//", u)], links
    assert "cdn" not in page.text.lower()
    for link in links:
        asset = client.get(link)
        assert asset.status_code == 200 and len(asset.content) > 100, link
    assert client.get("/redoc").status_code == 404  # no page left that needs a CDN


@pytest.mark.slow
def test_docs_render_the_api_in_a_browser(browser: WebDriver, run_db: str):
    with api_in_thread(run_db, token=None) as base:
        browser.get(f"{base}/docs")
        title = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, ".swagger-ui .info .title"))
        assert title.text.startswith("OASIS")
        routes = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".opblock"))
        assert any("/posts/top" in r.text for r in routes)
        screenshot(browser, "docs")
