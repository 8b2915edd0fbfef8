"""Ray's token authentication on: a separate local Ray in a subprocess runs the shards."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import numpy as np
from ray._private.authentication.authentication_utils import is_token_auth_enabled
from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.config import ExperimentConfig
from oasis.agents.shards.pool import LocalPool, RayPool

config = ExperimentConfig.model_validate(
    {"ray": {"mode": "local", "shards": 2, "cpus_per_shard": 0.5}}
)
ids = np.arange(6, dtype=np.int64)
batch = HeuristicBatch(
    ids, np.arange(7), ids + 1, ids, np.zeros(6), np.ones(6), ids + 10, np.ones(6), ["t"] * 6
)
spec = config.worker_spec()
pool = RayPool(spec, config.ray)
assert is_token_auth_enabled()
assert pool.decide(0, [], batch).heuristic == LocalPool(spec).decide(0, [], batch).heuristic
print("decided with token auth")
"""


@pytest.mark.ray
@pytest.mark.slow
def test_shards_run_with_token_auth_on() -> None:
    # The token comes from the environment, so Ray writes no token file into the home folder.
    env = os.environ | {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    env.pop("RAY_ADDRESS", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "decided with token auth" in done.stdout


@pytest.mark.ray
@pytest.mark.slow
def test_a_run_on_a_local_ray_prints_nothing_of_rays_own(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text(
        "steps: 1\noutput: out\npopulation: {n_users: 30}\nray: {mode: local, shards: 2}\n"
    )
    # RAY_AUTH_MODE unset, as a user's shell has it; HOME keeps Ray's token file out of ours
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "oasis", "run", "exp.yaml"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert not re.search(r"Token authentication|\bray\.|WARNING|INFO", done.stderr), done.stderr
    assert "results:" in done.stderr
