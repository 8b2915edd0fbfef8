"""Issue #13.6: what may change when a run is resumed, and the one line for what may not."""

from __future__ import annotations

import pytest

from oasis.config import RESUME_MAY_CHANGE, config_changes, redact
from oasis.errors import RunError
from oasis.loop.simulation import Simulation
from tests.factories import experiment, finished_dump

STORED = {"seed": 1, "steps": 3, "name": "a", "population": {"n_users": 50, "path": "/p"},
          "llm": {"endpoints": ["http://a/v1"], "model": "m", "api_key": "***"},
          "events": [], "ray": {"mode": "none"}, "herd": None}  # fmt: skip


def changed(**new):
    return config_changes(STORED, {**STORED, **new}, RESUME_MAY_CHANGE)


def test_only_how_far_and_where_a_run_goes_may_change():
    assert changed(steps=10, name="b", ray={"mode": "local", "shards": 4}) == []
    assert changed(llm={**STORED["llm"], "endpoints": ["http://b/v1"], "api_key": "k"}) == []
    assert changed(seed=2) == ["seed"]
    assert changed(population={"n_users": 60, "path": "/p"}) == ["population.n_users"]
    assert changed(events=[{"step": 1, "kind": "post"}]) == ["events"]
    assert changed(herd={"path": "x"}) == ["herd.path"]
    assert changed(llm={**STORED["llm"], "model": "other"}) == ["llm.model"]


def stopped_after(config, steps):
    with Simulation.open(config) as first:
        for _ in range(steps):
            first.step()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"seed": 6}, "seed"),
        ({"population": {"source": "synthetic", "n_users": 60}}, "population.n_users"),
        ({"events": [{"step": 4, "kind": "post", "user_id": 1, "content": "x"}]}, "events"),
        ({"steps": 1}, "steps is 1 but 2 steps are already committed"),
        ({"llm": {"endpoints": ["http://127.0.0.1:9/v1"]}}, "llm.endpoints"),
    ],
)
def test_resuming_a_changed_experiment_is_refused_in_one_line(tmp_path, change, named):
    stopped_after(experiment(tmp_path, "run", steps=4), 2)
    with pytest.raises(RunError, match="--resume") as refused:
        Simulation.open(experiment(tmp_path, "run", **{"steps": 4, **change}), resume=True)
    assert named in str(refused.value) and "\n" not in str(refused.value)


def test_more_steps_continue_recorded_and_match_an_uninterrupted_run(tmp_path):
    expected = finished_dump(experiment(tmp_path, "whole", steps=5))
    stopped_after(experiment(tmp_path, "run", steps=3), 3)
    longer = experiment(tmp_path, "run", steps=5)
    with Simulation.open(longer, resume=True) as resumed:
        resumed.run()
        info, dump = resumed.platform.run_info(), resumed.platform.dump()
    assert info.config == redact(longer.model_dump(mode="json")) and info.config["steps"] == 5
    assert info.last_step == 4
    assert dump == expected
