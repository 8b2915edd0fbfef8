"""The shipped experiment files load, and the information-spread one runs to its cascade curves."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oasis.config import load_config
from oasis.loop.results import write_results
from oasis.loop.simulation import Simulation

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_files_are_valid(path):
    config = load_config(path, environ={})
    assert config.name == path.stem
    assert config.population.path.exists()


def test_information_spread_gives_cascade_curves(tmp_path):
    config = load_config(Path(EXAMPLES[0]).with_name("information_spread.yaml"), environ={})
    config = config.model_copy(update={"output": tmp_path / "out", "steps": 30})
    simulation = Simulation.open(config)
    simulation.run()
    write_results(simulation.platform, simulation.clock, config.output, config.name)
    simulation.close()
    curves = pd.read_csv(tmp_path / "out" / "cascades.csv")
    assert list(curves.columns) == ["root_post_id", "time", "scale", "depth", "max_breadth"]
    source = curves[curves["root_post_id"] == 1]  # the topic's source tweet is the first post
    assert source["scale"].is_monotonic_increasing and source["scale"].max() > 1
    assert (source["max_breadth"] <= source["scale"]).all()
    grid = curves.groupby("root_post_id")["time"].agg(["count", "max"])
    assert (grid["count"] == 30).all() and grid["max"].nunique() == 1  # each runs to the end
    assert (tmp_path / "out" / "cascades.png").stat().st_size > 0
