"""Issue #13.3: the run record and its population are written together, or not at all."""

from __future__ import annotations

import pytest

import oasis.platform.platform as platform_module
from oasis.config import redact
from oasis.errors import RunError
from oasis.loop.simulation import Simulation
from oasis.platform import Platform
from tests.conftest import postgres_schema
from tests.factories import experiment, finished_dump


def test_killed_while_the_population_loads_leaves_no_run_and_a_new_start_works(
    tmp_path, monkeypatch
):
    whole = finished_dump(experiment(tmp_path, "whole"))
    config = experiment(tmp_path, "killed")
    real = platform_module.insert_population

    def killed_half_way(conn, users, follows, step):
        real(conn, users.iloc[:10], follows[:0], step)  # ten users written, then the "kill"
        raise KeyboardInterrupt

    monkeypatch.setattr(platform_module, "insert_population", killed_half_way)
    with pytest.raises(KeyboardInterrupt):
        Simulation.open(config)
    monkeypatch.undo()
    platform = Platform.open(config.database_url)
    assert platform.run_info() is None and not platform.has_population()
    platform.close()
    assert finished_dump(config) == whole


def test_a_run_recorded_without_its_population_gets_it_on_resume(tmp_path):
    whole = finished_dump(experiment(tmp_path, "whole"))
    config = experiment(tmp_path, "half")
    config.output.mkdir()
    platform = Platform.open(config.database_url)
    stored = redact(config.model_dump(mode="json"))
    platform.start_run(config.seed, stored)  # what an older version left when killed mid-load
    platform.close()
    dump = finished_dump(config, resume=True)
    assert len(dump["user"]) == 50
    assert dump == whole


def test_a_start_that_fails_before_step_0_leaves_nothing(tmp_path, monkeypatch):
    config = experiment(tmp_path, "failed")

    def broken(self):
        raise RuntimeError("the embedder failed")

    monkeypatch.setattr(Simulation, "_restore", broken)
    with pytest.raises(RuntimeError, match="embedder"):
        Simulation.open(config)
    monkeypatch.undo()
    platform = Platform.open(config.database_url)
    assert platform.run_info() is None and not platform.has_population()
    platform.close()
    with Simulation.open(config) as simulation:  # not "already holds a run"
        simulation.run()


@pytest.mark.postgres
def test_a_results_folder_of_a_sqlite_run_is_not_taken_by_a_postgres_run(tmp_path):
    config = experiment(tmp_path, "exp", steps=2)
    finished_dump(config)
    before = {p.name: p.read_bytes() for p in config.output.iterdir() if p.is_file()}
    with postgres_schema() as url:
        again = experiment(tmp_path, "exp", steps=2, database=url)
        with pytest.raises(RunError, match="holds the results of the run in sqlite") as caught:
            Simulation.open(again)
        assert "\n" not in str(caught.value) and "an output folder of its own" in str(caught.value)
    after = {p.name: p.read_bytes() for p in config.output.iterdir() if p.is_file()}
    assert after == before
