"""million_agents.yaml runs end to end on its Ray shards, scaled down to test size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oasis.config import load_config
from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "million_agents.yaml"

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_session")]


def test_million_agents_example_runs_on_its_shards(tmp_path: Path) -> None:
    config = load_config(EXAMPLE, environ={})
    assert (config.ray.mode, config.ray.shards) == ("local", 2)
    population = config.population.model_copy(update={"n_users": 2000})
    config = config.model_copy(update={"output": tmp_path, "steps": 2, "population": population})
    simulation = Simulation.open(config)
    try:
        simulation.run()
        written = write_run(simulation)
    finally:
        simulation.close()
    assert tmp_path / "summary.md" in written
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert [len(m["metrics"]["shards"]) for m in metrics] == [2, 2]
