"""One error tree: every project exception is an OasisError; the CLI prints it as one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from oasis.agents.shards.pool import ShardFailedError
from oasis.config import ConfigError
from oasis.datasets import DatasetError
from oasis.datasets.errors import PopulationError
from oasis.errors import OasisError, RunError
from oasis.planning.capacity import PlanError
from oasis.platform import PlatformError
from oasis.recsys import RecsysError
from oasis.recsys.contract import ContractViolation

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "error",
    [ConfigError, DatasetError, PopulationError, PlatformError, RecsysError, ContractViolation,
     PlanError, RunError, ShardFailedError],
)  # fmt: skip
def test_every_project_error_is_an_oasis_error(error: type[Exception]) -> None:
    assert issubclass(error, OasisError)


def test_the_command_prints_a_project_error_as_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "oasis", "plan", str(ROOT / "examples" / "quickstart.yaml"),
         "--model-size", "8q"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: model size '8q' is not like '8b', '70b' or '500m'"
    ]
