"""``oasis plan --from-run``: a finished run's measured tokens per request replace estimates."""

from __future__ import annotations

import pytest

from oasis.loop.simulation import Simulation
from oasis.planning.capacity import PlanError
from oasis.planning.inputs import measured_inputs
from tests.capacity.test_capacity import inputs
from tests.factories import experiment
from tests.simulation.test_cli import oasis


def test_measured_tokens_are_per_request_sent_and_requests_per_active_agent():
    steps = [
        {"requests": 4, "prompt_tokens": 400, "completion_tokens": 40, "llm_active": 4},
        {
            "requests": 2,
            "prompt_tokens": 200,
            "completion_tokens": 20,
            "cache_hits": 2,
            "llm_active": 4,
        },
    ]
    measured = measured_inputs(inputs(), steps)
    assert measured.prompt_tokens == 100.0 and measured.completion_tokens == 10.0
    assert measured.requests_per_active_agent == 1.0
    with pytest.raises(PlanError, match="no LLM request"):
        measured_inputs(inputs(), [{"active": 3}])


def test_plan_from_a_finished_llm_run(tmp_path, llm_server):
    llm = {"endpoints": [llm_server.base_url], "model": "scripted"}
    config = experiment(tmp_path, "measured", llm=llm, steps=2)
    with Simulation.open(config) as simulation:
        simulation.run()
    (tmp_path / "exp.yaml").write_text("steps: 10\npopulation: {n_users: 1000}\n")
    done = oasis("plan", "exp.yaml", "--from-run", str(config.output), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "measured by" in done.stdout and "over 2 steps" in done.stdout
    estimated = oasis("plan", "exp.yaml", cwd=tmp_path)
    assert estimated.stdout != done.stdout
