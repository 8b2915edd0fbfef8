"""The API's interactive documentation at ``/docs``, served from the package, never a CDN.

FastAPI's own ``/docs`` page loads Swagger UI from jsDelivr, so it is blank on a machine
without internet access (a cluster node, a laptop on a train). The Swagger UI files here come
from the ``swagger-ui-py`` distribution (Swagger UI 5, which renders OpenAPI 3.1 as FastAPI
writes it); the page and its assets are served by the API itself.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_STATIC = "/docs/static"


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` with Swagger UI's files under :data:`DOCS_STATIC` (the app has none)."""
    assets = files("swagger_ui") / "static"
    app.mount(DOCS_STATIC, StaticFiles(directory=str(assets)), name="docs-static")

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=str(app.openapi_url),
            title=f"{app.title} API",
            swagger_js_url=f"{DOCS_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_STATIC}/favicon-32x32.png",
        )

    app.add_api_route("/docs", docs, include_in_schema=False, response_class=HTMLResponse)
