"""Issue #25.3: a fork killed mid-way completes with ``oasis fork ... --resume``.

The fork is a real ``oasis fork`` process, killed (SIGKILL: no clean-up) once it has committed
a step, in its rebuild of the parent's world or after it; rerun with ``--resume`` it must end
with the same database as a fork that was never interrupted.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oasis.cli import app
from oasis.loop.fork import fork
from oasis.platform import Platform

K = 6
STEPS = 12
EXPERIMENT = "seed: 3\nsteps: {steps}\noutput: {output}\npopulation: {{n_users: 40}}\n"


def write(folder: Path, name: str, output: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(EXPERIMENT.format(steps=STEPS, output=output))
    return path


def last_step(folder: Path) -> int:
    database = folder / "oasis.db"
    if not database.exists():
        return -2
    platform = Platform.open(f"sqlite:///{database}", read_only=True)
    try:
        info = platform.run_info()
    except Exception:  # the schema may not be written yet
        return -2
    finally:
        platform.close()
    return -2 if info is None else info.last_step


def world(folder: Path) -> dict:
    platform = Platform.open(f"sqlite:///{folder / 'oasis.db'}", read_only=True)
    try:
        return platform.dump()
    finally:
        platform.close()


@pytest.fixture(scope="module")
def parent(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fork_resume")
    done = CliRunner().invoke(app, ["run", str(write(folder, "parent", "parent"))])
    assert done.exit_code == 0, done.output
    return folder


@pytest.fixture(scope="module")
def uninterrupted(parent: Path) -> dict:
    from oasis.config import load_config

    config = load_config(write(parent, "whole", "whole"))
    with fork(parent / "parent", K, config) as simulation:
        simulation.run()
    return world(parent / "whole")


@pytest.mark.parametrize("kill_after", [0, K + 1], ids=["in-the-rebuild", "after-it"])
def test_a_killed_fork_completes_on_resume_identical(parent, uninterrupted, kill_after, tmp_path):
    output = tmp_path / "cut"
    config = write(tmp_path, "cut", str(output))
    command = [sys.executable, "-m", "oasis", "fork", str(parent / "parent"), "--at-step", str(K)]
    command += ["--config", str(config)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    while last_step(output) < kill_after and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    if last_step(output) >= STEPS - 1:
        pytest.skip("the fork finished before it could be killed")
    again = CliRunner().invoke(app, [*command[3:], "--resume"])
    assert again.exit_code == 0, again.output
    assert last_step(output) == STEPS - 1
    assert world(output) == uninterrupted


def test_a_fork_rerun_without_resume_says_how_to_go_on(parent, tmp_path):
    config = write(tmp_path, "twice", str(tmp_path / "twice"))
    args = ["fork", str(parent / "parent"), "--at-step", str(K), "--config", str(config)]
    assert CliRunner().invoke(app, args).exit_code == 0
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2 and "--resume" in again.stderr
