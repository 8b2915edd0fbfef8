"""Every action in the trace says who took it: an event, a policy (heuristic, LLM, custom)."""

from __future__ import annotations

from oasis import open_run
from oasis.loop.simulation import Simulation
from tests.factories import experiment


def test_each_action_names_the_policy_or_event_that_took_it(tmp_path, llm_server):
    custom = {
        "name": "moderator",
        "policy": "oasis.agents.moderator:WordModerator",
        "agents": [0],
        "always_active": True,
        "options": {"word": "scam"},
    }
    config = experiment(
        tmp_path,
        "actors",
        steps=3,
        llm={"endpoints": [llm_server.base_url], "model": "scripted"},
        policy={"llm_agents": [1, 2, 3], "llm_share": 0.0, "custom": [custom]},
        activation={"kind": "uniform", "views_per_hour": 20.0},  # everyone, every step
        events=[{"step": 1, "kind": "post", "user_id": 9, "content": "a scam, surely"}],
    )
    with Simulation.open(config) as simulation:
        simulation.run()
        simulation.write_results()
    traces = open_run(config.output).traces()
    by_user = traces.groupby("user_id")["actor"].agg(set)
    assert by_user[0] == {"custom"}
    assert by_user[1] == by_user[2] == {"llm"}
    assert by_user[4] == {"heuristic"}
    scheduled = traces[(traces["step"] == 1) & (traces["user_id"] == 9)]
    assert scheduled.iloc[0]["actor"] == "event"  # events come first in an agent's order
    llm = open_run(config.output).traces(actor="llm")
    assert set(llm["user_id"]) == {1, 2, 3} and len(llm) == (traces["actor"] == "llm").sum()
    summary = (config.output / "summary.md").read_text()
    assert "## Actions by who took them" in summary and "People took 0 actions." in summary
    assert "| custom |" in summary
