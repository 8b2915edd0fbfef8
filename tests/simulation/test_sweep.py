"""Sweeps: a grid of settings and seeds as parallel Ray tasks, resumable after a kill."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest

from oasis.analysis.sweep import sweep_summary
from oasis.config import ConfigError, load_config, load_sweep
from oasis.loop.settings import SweepSettings
from oasis.loop.sweep import SweepError, setting_label, sweep_points
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import Gate

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart.yaml"
GRID = """\
grid:
  recsys.kind: [twitter, random]
seeds: [1, 2, 3]
fixed: {steps: 3}
metrics: [actions, create_post, like_post]
output: out
max_concurrent: 2
"""


def test_points_are_the_cross_product_each_in_its_own_folder(tmp_path):
    (tmp_path / "grid.yaml").write_text(GRID)
    sweep = load_sweep(tmp_path / "grid.yaml")
    points = sweep_points(load_config(QUICKSTART), sweep)
    assert [(p.setting["recsys.kind"], p.seed) for p in points] == [
        (kind, seed) for kind in ("twitter", "random") for seed in (1, 2, 3)
    ]
    assert all(p.config.steps == 3 and p.config.seed == p.seed for p in points)
    assert [p.config.recsys.kind for p in points][3:] == ["random"] * 3
    assert len({p.config.output for p in points}) == 6
    assert points[0].config.output == tmp_path / "out" / "recsys.kind=twitter" / "seed-1"
    assert setting_label({"a.b": "x y/z", "c": 0.5}) == "a.b=x_y_z,c=0.5"


def test_bad_sweeps_are_refused_with_the_key_named(tmp_path):
    base = load_config(QUICKSTART)
    with pytest.raises(ConfigError, match=r"recsys\.kind"):
        sweep_points(base, SweepSettings(grid={"recsys.kind": ("nope",)}))
    with pytest.raises(SweepError, match="database"):
        sweep_points(base.model_copy(update={"database": "sqlite:///x.db"}), SweepSettings())


@pytest.mark.parametrize("part", ["fixed", "grid"])
@pytest.mark.parametrize("key", ["database", "output", "seed", "name", "database.url"])
def test_a_sweep_refuses_to_be_told_what_it_sets_for_each_run(tmp_path, part, key):
    """Issue #25.7: each run's database, folder, seed and name are the sweep's own."""
    value = "[x]" if part == "grid" else "x"
    (tmp_path / "grid.yaml").write_text(f"{part}:\n  {key}: {value}\n")
    with pytest.raises(ConfigError, match=rf"{part}: {re.escape(key)}: the sweep sets"):
        load_sweep(tmp_path / "grid.yaml")


def test_summary_gives_mean_and_spread_over_seeds():
    runs = pd.DataFrame(
        {"k": ["a", "a", "b", "b"], "seed": [1, 2, 1, 2], "m": [1.0, 3.0, 5.0, 5.0]}
    )
    summary = sweep_summary(runs, ["k"], ["m"]).set_index("k")
    assert summary.loc["a", "m_mean"] == 2.0 and summary.loc["b", "m_std"] == 0.0
    assert summary.loc["a", "m_max"] == 3.0 and summary.loc["a", "seeds"] == 2


def marked(mark):
    """Our processes: those whose environment carries ``mark`` (Ray's workers have their own
    process groups, so killing the sweep's group does not reach them at once)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and mark in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def kill_all(group, mark):
    os.killpg(group, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while pids := marked(mark):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert time.monotonic() < deadline, pids
        time.sleep(0.1)


def sweep_command(cwd, mark=""):
    return subprocess.Popen(
        [sys.executable, "-m", "oasis", "sweep", str(QUICKSTART), "--grid", "grid.yaml"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the kill takes Ray's processes too
        env=os.environ
        | {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0", "OASIS_TEST_MARK": mark},
    )


def running_points(mark: bytes) -> int:
    """How many of our Ray workers are in a sweep run now (Ray titles such a worker by its task)."""
    count = 0
    for pid in marked(mark):
        with contextlib.suppress(OSError):
            count += Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"ray::run_point")
    return count


@pytest.mark.slow
@pytest.mark.ray
def test_a_sweep_runs_in_parallel_and_resumes_after_a_kill(tmp_path):
    gate = Gate()
    with ScriptedLLMServer(gate) as llm:
        sweep_and_resume(tmp_path, llm, gate)


def sweep_and_resume(tmp_path: Path, llm: ScriptedLLMServer, gate: Gate) -> None:
    llm_keys = (
        f"  llm.endpoints: ['{llm.base_url}']\n  llm.model: scripted\n"
        "  llm.max_retries: 1000\n  policy.llm_share: 0.2\n"
    )
    (tmp_path / "grid.yaml").write_text(
        GRID.replace("fixed: {steps: 3}\n", f"fixed:\n  steps: 3\n{llm_keys}")
    )
    out = tmp_path / "out"
    mark = f"OASIS_TEST_MARK=sweep-{uuid.uuid4().hex}"
    first = sweep_command(tmp_path, mark.split("=")[1])
    deadline = time.monotonic() + 240
    while not list(out.glob("*/*/done.json")):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.2)
    gate.open.clear()  # the runs in flight stop at their next question to the LLM
    kill_all(first.pid, mark.encode())  # the whole sweep dies, whatever it was doing
    first.wait()
    done = {p: p.stat().st_mtime_ns for p in out.glob("*/*/done.json")}
    assert 1 <= len(done) < 6

    # Whether the resumed runs run at once, told by events: with the gate closed no run can end,
    # so the sweep must have two in flight together before the gate opens.
    mark = f"OASIS_TEST_MARK=sweep-{uuid.uuid4().hex}"
    second = sweep_command(tmp_path, mark.split("=")[1])
    while running_points(mark.encode()) < min(2, 6 - len(done)):
        assert second.poll() is None, second.communicate()
        time.sleep(0.2)
    gate.open.set()
    _, stderr = second.communicate(timeout=400)
    assert second.returncode == 0, stderr
    assert f"{len(done)} runs were already finished" in stderr
    assert all(p.stat().st_mtime_ns == mtime for p, mtime in done.items())  # not run again
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 6 and set(runs["recsys.kind"]) == {"twitter", "random"}
    assert sorted(runs["seed"]) == [1, 1, 2, 2, 3, 3]
    assert (runs["actions"] > 0).all()
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["seeds"]) == [3, 3] and "like_post_std" in summary
    assert (out / "sweep.png").stat().st_size > 0
    resumed = runs[~runs["folder"].isin([str(p.parent) for p in done])]
    spans = sorted(zip(resumed["started_at"], resumed["finished_at"], strict=True))
    assert any(b[0] < a[1] for a, b in itertools.pairwise(spans)), "no two ran at once"
