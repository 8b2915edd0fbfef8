"""million_agents.yaml runs end to end on two local Ray shards, scaled down to test size.

The example runs in-process by default (faster on one machine); its Ray path is this one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oasis.config import load_config
from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation
from tests.factories import EXAMPLES

EXAMPLE = EXAMPLES / "million_agents.yaml"

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_session")]


def test_million_agents_example_runs_on_its_shards(tmp_path: Path) -> None:
    config = load_config(EXAMPLE, environ={})
    assert config.ray.mode == "none"
    population = config.population.model_copy(update={"n_users": 2000})
    ray = config.ray.model_copy(update={"mode": "local", "shards": 2})
    update = {"output": tmp_path, "steps": 2, "population": population, "ray": ray}
    config = config.model_copy(update=update)
    with Simulation.open(config) as simulation:
        simulation.run()
        written = write_run(simulation)
    assert tmp_path / "summary.md" in written
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert [len(m["metrics"]["shards"]) for m in metrics] == [2, 2]
