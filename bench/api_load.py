"""Load on the API process: how fast a finished 100,000-user run is read.

Run: ``python -m bench.api_load [--users 100000] [--steps 8] [--repeats 5] [--db PATH]``.
A heuristic run of ``--users`` agents (activation 0.1) is made once (kept at ``--db`` when given,
so a second run of the bench reuses it), then served by ``oasis serve`` in its own process, as in
production. Each part prints its own figures; the machine line says where they were taken.

- live (``--live``, in ``bench/live_reads.py``): 5,000 GETs at concurrency 32 over the read
  endpoints against a live run, with requests/s, p50/p99 latency and the run's step time with
  and without the load.
- dashboard: the first load of the dashboard page in a headless Chromium (Debian's chromium and
  chromium-driver): milliseconds from navigation start until the overview's charts are drawn,
  with a fresh browser (no cache) each time; and the time of each request the page makes.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.machine import describe
from bench.scripted import ROOT
from oasis.config import ExperimentConfig
from oasis.loop.simulation import Simulation

# The requests the dashboard's overview and its other first views make.
DASHBOARD_REQUESTS = (
    "/",
    "/dashboard/static/dashboard.js",
    "/dashboard/overview",
    "/dashboard/series?after=-1",
    "/dashboard/cascades?limit=6",
    "/posts/top?window={steps}&limit=20",
    "/posts/trending?window=3&limit=20",
    "/dashboard/users/{user}/feeds?limit=5",
    "/users/{user}/actions?limit=30",
)


def make_run(db: Path, users: int, steps: int) -> str:
    """A finished heuristic run of ``users`` agents at ``db`` (made once); its database URL."""
    url = f"sqlite:///{db}"
    if db.exists():
        return url
    config = ExperimentConfig.model_validate(
        {
            "name": f"api_load_{users}",
            "seed": 1,
            "steps": steps,
            "output": str(db.parent / "results"),
            "database": url,
            "population": {
                "source": "synthetic",
                "n_users": users,
                "path": str(ROOT / "oasis/datasets/data/twitter/user_all_id_time.csv"),
            },
            "activation": {"kind": "uniform", "views_per_hour": 0.1},
            "candidate_window_hours": 3,
        }
    )
    start = time.perf_counter()
    simulation = Simulation.open(config)
    simulation.run()
    simulation.close()
    print(f"  made the run: {users:,} users, {steps} steps in {time.perf_counter() - start:.0f} s")
    return url


@contextmanager
def served(db_url: str) -> Iterator[str]:
    """``oasis serve`` over ``db_url`` on a free port until the block ends; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "oasis", "serve", "--db", db_url, "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/dashboard/overview", timeout=5).raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(10)


def dashboard_first_load(base: str, repeats: int) -> list[float]:
    """Milliseconds from navigation start to the drawn overview, a fresh browser each time."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    flags = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             "--window-size=1280,800")  # fmt: skip
    loads = []
    for _ in range(repeats):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in flags:
            options.add_argument(flag)
        driver = webdriver.Chrome(
            options=options, service=Service(executable_path="/usr/bin/chromedriver")
        )
        try:
            driver.get(f"{base}/")
            deadline = time.monotonic() + 60
            while not (loaded := driver.find_element("tag name", "body").get_attribute(
                "data-loaded-ms"
            )):  # fmt: skip
                if time.monotonic() > deadline:
                    raise TimeoutError("the overview was not drawn in 60 s")
                time.sleep(0.02)
            loads.append(float(loaded))
        finally:
            driver.quit()
    return loads


def request_times(base: str, steps: int, user: int, repeats: int) -> dict[str, float]:
    """The median time of each request the dashboard's first views make, in milliseconds."""
    times = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for template in DASHBOARD_REQUESTS:
            path = template.format(steps=steps, user=user)
            spent = []
            for _ in range(repeats):
                start = time.perf_counter()
                client.get(path).raise_for_status()
                spent.append(1000 * (time.perf_counter() - start))
            times[path] = statistics.median(spent)
    return times


def main() -> None:
    if "--live" in sys.argv:  # issue #13's part: GETs against a live run (bench/live_reads.py)
        from bench import live_reads

        sys.argv.remove("--live")
        live_reads.main()
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--db", type=Path, default=None, help="keep the run here")
    options = parser.parse_args()
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as folder:
        db = options.db or Path(folder) / "run.db"
        db_url = make_run(db, options.users, options.steps)
        with served(db_url) as base:
            loads = dashboard_first_load(base, options.repeats)
            print(
                f"dashboard first load, finished {options.users:,}-user run, {options.steps} "
                f"steps: median {statistics.median(loads):.0f} ms, max {max(loads):.0f} ms "
                f"over {len(loads)} fresh browsers"
            )
            user = int(httpx.get(f"{base}/users?limit=1&offset=7").json()["items"][0]["user_id"])
            for path, ms in request_times(base, options.steps, user, options.repeats).items():
                print(f"  {path}: {ms:.1f} ms")


if __name__ == "__main__":
    main()
