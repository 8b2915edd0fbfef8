"""``/docs`` works offline: Swagger UI's files come from the API itself, not from a CDN."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from oasis.api import serve_in_thread
from tests.api.browser import chromium, screenshot, wait_for


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


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    yield from chromium()  # type: ignore[misc]


@pytest.mark.slow
def test_docs_render_the_api_in_a_browser(browser: WebDriver, run_db: str):
    server = serve_in_thread(run_db, port=0)
    try:
        host, port = server.address
        browser.get(f"http://{host}:{port}/docs")
        title = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, ".swagger-ui .info .title"))
        assert title.text.startswith("OASIS")
        routes = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".opblock"))
        assert any("/posts/top" in r.text for r in routes)
        screenshot(browser, "docs")
    finally:
        server.stop()
