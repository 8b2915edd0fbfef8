"""The public Python API: the example script runs, and its pieces work on their own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx

import oasis

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_script_runs_and_exports_a_cascade_as_graphml(tmp_path: Path) -> None:
    out = tmp_path / "api"
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "python_api.py"), str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    files = list(out.glob("cascade_*.graphml"))
    assert len(files) == 1
    tree = nx.read_graphml(files[0])
    assert nx.is_tree(tree) and tree.number_of_nodes() > 1
    assert "follow graph 3-core" in done.stdout
    with oasis.open_run(out) as run:
        traces = run.traces()
    booster = traces[traces["user_id"].isin([1, 2, 3])]
    assert {"like_post", "repost"} & set(booster["action"])
    assert (traces[traces["user_id"] == 0]["action"] == "search_posts").sum() == 6


def test_load_experiment_overrides_merge_sections(tmp_path: Path) -> None:
    config = oasis.load_experiment(
        ROOT / "examples" / "quickstart.yaml", steps=2, output=str(tmp_path),
        population={"n_users": 30}, recsys={"k": 3},
    )  # fmt: skip
    assert (config.steps, config.population.n_users, config.recsys.k) == (2, 30, 3)
    assert config.recsys.kind == "twitter"  # kept from the file
    with oasis.open_simulation(config) as sim:
        reports = [sim.step(), sim.step()]
        assert [r.step for r in reports] == [0, 1]
    with oasis.open_run(f"sqlite:///{tmp_path / 'oasis.db'}") as run:
        assert list(run.metrics()["step"]) == [0, 1]
        assert set(run.users()["user_id"]) == set(range(30))
