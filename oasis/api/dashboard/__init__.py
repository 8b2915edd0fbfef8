"""The dashboard: one page served at ``/`` by the API, with its scripts under /dashboard/static.

The page is plain HTML with a little JavaScript and hand-rendered SVG charts; every file ships in
the package, so it works offline. It reads the REST API and a few aggregated routes of its own
(:mod:`oasis.api.dashboard.routes`), each bounded to a few hundred rows.
"""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from oasis.api.dashboard import setup
from oasis.api.dashboard.routes import STATIC, page_router, router

__all__ = ["install_dashboard"]


def install_dashboard(app: FastAPI) -> None:
    """Serve the dashboard page at ``/``, its JSON under /dashboard and its files beside it."""
    app.include_router(page_router)
    app.include_router(router)
    app.include_router(setup.router)
    app.mount("/dashboard/static", StaticFiles(directory=str(STATIC)), name="dashboard-static")
