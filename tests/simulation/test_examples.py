"""Every shipped experiment file loads and runs end to end (scaled down: a few steps, a few
hundred synthetic users, agent shards in-process; the Ray path of million_agents.yaml runs in
tests/shards); the information-spread one runs to its cascade curves."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from oasis.config import load_config
from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation
from tests.factories import EXAMPLES, scaled

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_files_are_valid(path):
    config = load_config(path, environ={})
    assert config.name == path.stem
    assert config.population.path.exists()


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_runs_end_to_end(path, tmp_path):
    config = scaled(load_config(path, environ={}), tmp_path / "out")
    with Simulation.open(config) as simulation:
        simulation.run()
        written = write_run(simulation)
    assert tmp_path / "out" / "summary.md" in written
    steps = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert [s["step"] for s in steps] == list(range(config.steps))


def test_information_spread_gives_cascade_curves(tmp_path):
    config = load_config(EXAMPLES / "information_spread.yaml", environ={})
    config = config.model_copy(update={"output": tmp_path / "out", "steps": 30})
    with Simulation.open(config) as simulation:
        simulation.run()
        write_run(simulation)
    curves = pd.read_csv(tmp_path / "out" / "cascades.csv")
    assert list(curves.columns) == ["root_post_id", "time", "scale", "depth", "max_breadth"]
    source = curves[curves["root_post_id"] == 1]  # the topic's source tweet is the first post
    assert source["scale"].is_monotonic_increasing and source["scale"].max() > 1
    assert (source["max_breadth"] <= source["scale"]).all()
    grid = curves.groupby("root_post_id")["time"].agg(["count", "max"])
    assert (grid["count"] == 30).all() and grid["max"].nunique() == 1  # each runs to the end
    assert (tmp_path / "out" / "cascades.png").stat().st_size > 0
