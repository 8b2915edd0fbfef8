"""LLM agents' interview answers scored in a run by the judge on the same endpoint."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation
from oasis.platform.schema import Trace
from oasis.testing.replies import Reply, agent_id_of
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.simulation.conftest import acting_reply, experiment


def agents_and_judge(request: Mapping[str, Any]) -> Reply:
    """Agents answer by parity; the judge rates 'take the risk' 5, anything else 1 (scale 1..5)."""
    system = str(request["messages"][0]["content"])
    if "rate stances" in system:
        answer = request["messages"][-1]["content"].split("Answer: ", 1)[1].split("\n\n")[0]
        return Reply(text=json.dumps({"score": 5 if "take the risk" in answer else 1}))
    if "interview" in system.lower():
        agent = agent_id_of(request) or 0
        return Reply(text="She should take the risk." if agent % 2 else "Play it safe.")
    return acting_reply(request)


def test_llm_answers_are_scored_into_stances_and_measured(tmp_path) -> None:
    events = [{"step": 1, "kind": "interview", "question": "Should Helen take the risk?"}]
    scale = {"low": 1, "high": 5, "low_label": "play it safe", "high_label": "take the risk"}
    with ScriptedLLMServer(agents_and_judge) as server:
        llm = {"endpoints": [server.base_url], "model": "scripted"}
        config = experiment(
            tmp_path, "judged", llm=llm, events=events, policy={"llm_share": 0.3},
            interview={"scale": scale},
        )  # fmt: skip
        simulation = Simulation.open(config)
        try:
            simulation.run()
            write_run(simulation)
            with simulation.platform.reader() as reader:
                trace = reader.table(Trace)
            llm_agents = set(simulation.roster.llm_ids.tolist())
        finally:
            simulation.close()
        judged = [b for b in server.log.bodies if "rate stances" in str(b["messages"][0])]
    asked = trace[trace["action"] == "interview"]
    assert set(asked["user_id"]) == llm_agents  # without opinions only LLM agents are asked
    stances = {row.user_id: row.args["stance"] for row in asked.itertuples()}
    assert stances == {a: (1.0 if a % 2 else -1.0) for a in llm_agents}
    assert len(judged) == len(llm_agents)
    assert all(b["response_format"]["type"] == "json_schema" for b in judged)
    summary = (tmp_path / "judged" / "summary.md").read_text()
    assert "interview scale: 1 (play it safe) to 5" in summary
    assert "stance scorer: LLM judge scripted" in summary
    measures = pd.read_csv(tmp_path / "judged" / "polarization.csv")
    assert measures["step"].tolist() == [1] and measures["group"].tolist() == ["all"]


def test_the_summary_of_a_run_without_interviews_names_no_scale_or_scorer(tmp_path) -> None:
    config = experiment(tmp_path, "plain", steps=2)
    simulation = Simulation.open(config)
    try:
        simulation.run()
        write_run(simulation)
    finally:
        simulation.close()
    summary = (config.output / "summary.md").read_text()
    assert "heuristic:" in summary
    assert "interview scale" not in summary and "stance scorer" not in summary
