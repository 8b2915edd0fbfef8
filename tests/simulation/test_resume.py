"""A run stopped after step k and resumed ends identical to an uninterrupted run."""

from __future__ import annotations

import pytest

from oasis.simulation import Simulation
from tests.simulation.conftest import experiment


def finished(config):
    simulation = Simulation.open(config)
    simulation.run()
    dump = simulation.platform.dump()
    simulation.close()
    return dump


@pytest.mark.parametrize("with_llm", [False, True])
def test_resume_after_a_stop_matches_an_uninterrupted_run(tmp_path, llm_server, with_llm):
    llm = {"endpoints": [llm_server.base_url], "model": "scripted"} if with_llm else {}
    policy = {"llm_share": 0.5}
    whole = finished(experiment(tmp_path, "whole", steps=5, llm=llm, policy=policy))

    config = experiment(tmp_path, "stopped", steps=5, llm=llm, policy=policy)
    first = Simulation.open(config)
    first.step()
    first.step()
    first.close()  # the process "dies" here: steps 0 and 1 are committed, nothing else

    with pytest.raises(ValueError, match="already holds a run"):
        Simulation.open(config)
    resumed = Simulation.open(config, resume=True)
    assert resumed.next_step == 2
    resumed.run()
    assert resumed.platform.run_info().last_step == 4
    dump = resumed.platform.dump()
    resumed.close()
    assert dump == whole
