"""The ``oasis`` command, run as a user would: a subprocess per command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

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
