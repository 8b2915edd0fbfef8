"""Shards and sweep runs on a real two-node Ray cluster give the databases one node gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.ray
def test_shards_and_sweep_runs_use_both_nodes_and_give_the_same_databases(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "tests.cluster.two_nodes", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ | {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(report["nodes"]) == 2
    assert report["shard_nodes"] == report["nodes"]  # one shard on each node
    assert report["sweep_nodes"] == report["nodes"]  # one sweep run on each node
    assert report["shards_same_database"] is True
    assert report["sweep_same_databases"] == [True, True]
