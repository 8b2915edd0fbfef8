"""Issue #13.1: a failed or skipped sign-up leaves a gap in the ids, and the run goes on."""

from __future__ import annotations

from oasis.loop.commands import CommandQueue
from oasis.loop.simulation import Simulation
from tests.factories import experiment


def test_a_scheduled_sign_up_past_the_last_id_runs_and_resumes(tmp_path):
    event = {"step": 0, "kind": "sign_up", "user_id": 205, "user_name": "late", "name": "Late"}
    activation = {"views_per_hour": 1.0}
    config = experiment(tmp_path, "gap", steps=4, events=[event], activation=activation)
    with Simulation.open(config) as first:
        first.step()
        first.step()  # was: IndexError: index 205 is out of bounds for axis 0 with size 51
    with Simulation.open(config, resume=True) as resumed:
        resumed.run()
        assert 205 in resumed.roster.agent_ids and resumed.platform.run_info().last_step == 3


def test_injected_agents_with_a_taken_name_fail_alone_and_the_run_goes_on(tmp_path):
    queue = CommandQueue()
    config = experiment(tmp_path, "dup", steps=4, activation={"views_per_hour": 1.0})
    with Simulation.open(config, controller=queue) as simulation:
        simulation.step()
        for name in ("twin", "twin", "third"):  # the second sign-up fails: its id stays a gap
            queue.inject_agent(name, name.title(), "")
        simulation.step()
        simulation.step()
    with Simulation.open(config, resume=True, controller=CommandQueue()) as resumed:
        resumed.run()
        with resumed.platform.reader() as reader:
            profiles = reader.profiles([50, 51, 52])
    assert {u: p["user_name"] for u, p in profiles.items()} == {50: "twin", 52: "third"}
