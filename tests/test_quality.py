"""Lint and types are part of the suite: ruff (rules in pyproject) and mypy strict on oasis/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_is_clean():
    done = run("ruff", "check", "oasis", "tests", "bench", "examples")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean():
    done = run("mypy", "oasis")
    assert done.returncode == 0, done.stdout + done.stderr
