"""LLM agents' interview answers scored in a run by the judge on the same endpoint."""

from __future__ import annotations

import pandas as pd

from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation
from oasis.platform.schema import Trace
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import agents_and_judge, experiment, judged_experiment


def test_llm_answers_are_scored_into_stances_and_measured(tmp_path) -> None:
    with ScriptedLLMServer(agents_and_judge) as server:
        config = judged_experiment(tmp_path, "judged", server)
        with Simulation.open(config) as simulation:
            simulation.run()
            write_run(simulation)
            with simulation.platform.reader() as reader:
                trace = reader.table(Trace)
            llm_agents = set(simulation.roster.llm_ids.tolist())
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
    with Simulation.open(config) as simulation:
        simulation.run()
        write_run(simulation)
    summary = (config.output / "summary.md").read_text()
    assert "heuristic:" in summary
    assert "interview scale" not in summary and "stance scorer" not in summary
