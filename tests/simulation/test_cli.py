"""The ``oasis`` command, run as a user would: a subprocess per command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from oasis.cli import InFlightColumn
from oasis.loop.simulation import Simulation
from oasis.testing.replies import with_latency
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import experiment

ROOT = Path(__file__).resolve().parents[2]


def oasis(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oasis", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.slow
def test_run_writes_the_results_folder_and_resume_finishes(tmp_path):
    (tmp_path / "exp.yaml").write_text(
        "name: tiny\nseed: 3\nsteps: 3\noutput: out\n"
        "population: {source: synthetic, n_users: 80}\nactivation: {kind: profile}\n"
    )
    done = oasis("run", "exp.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    for name in ("oasis.db", "traces.parquet", "posts.parquet", "metrics.json", "summary.md",
                 "activity.png", "cascades.csv"):  # fmt: skip
        assert (out / name).exists(), name
    assert [m["step"] for m in json.loads((out / "metrics.json").read_text())] == [0, 1, 2]
    assert len(pd.read_parquet(out / "traces.parquet")) > 0
    again = oasis("run", "exp.yaml", cwd=tmp_path)
    assert again.returncode == 2 and "already holds a run" in again.stderr
    resumed = oasis("run", "exp.yaml", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr


def test_bad_experiment_files_get_a_clear_error(tmp_path):
    (tmp_path / "bad.yaml").write_text("steps: 0\n")
    done = oasis("run", "bad.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert "steps" in done.stderr and "Traceback" not in done.stderr


def test_plan_prints_the_estimate(tmp_path):
    done = oasis("plan", str(ROOT / "examples" / "quickstart.yaml"), "--gpus", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2 x H100" in done.stdout and "expected LLM time per step" in done.stdout


def test_plan_shows_all_active_agents_and_the_llm_ones(tmp_path):
    (tmp_path / "exp.yaml").write_text(
        "steps: 3\npopulation: {n_users: 2000}\npolicy: {llm_share: 0.1}\n"
    )
    done = oasis("plan", "exp.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    every = re.search(r"^active agents per step: ([\d,]+) in all$", done.stdout, re.M)
    llm = re.search(r"^LLM agents active per step: ([\d,]+);", done.stdout, re.M)
    assert every and llm, done.stdout
    total, by_llm = (int(m.group(1).replace(",", "")) for m in (every, llm))
    assert 0 < by_llm < total / 5  # a tenth of the agents (and the core) play by LLM


def test_the_readme_command_table_is_one_table_listing_each_command_once():
    lines = (ROOT / "README.md").read_text().splitlines()
    start = lines.index("| command | what it does |")
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("|"))
    assert not any(line.startswith("| `oasis ") for line in lines[end:])
    commands = [line.split("`")[1].split()[1] for line in lines[start + 2 : end]]
    assert commands.count("plan") == 1 and {"export", "fork", "sweep", "serve"} <= set(commands)


def test_progress_shows_the_llm_requests_in_flight_while_a_step_runs(tmp_path):
    with ScriptedLLMServer(with_latency(0.3)) as server:
        config = experiment(
            tmp_path,
            "live",
            llm={"endpoints": [server.base_url], "model": "scripted"},
            policy={"llm_share": 1.0},
        )
        with Simulation.open(config) as simulation:
            column = InFlightColumn(simulation)
            shown = set()
            stepping = threading.Thread(target=simulation.step)
            stepping.start()
            while stepping.is_alive():
                shown.add(str(column.render(None)))  # the column reads no task field
                time.sleep(0.02)
            stepping.join()
    assert "LLM in flight: 0" in shown
    assert any(s != "LLM in flight: 0" for s in shown)
