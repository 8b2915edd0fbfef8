"""The loop end to end through a scripted OpenAI-compatible server over HTTP."""

from __future__ import annotations

from collections import Counter

from oasis.loop.simulation import Simulation
from oasis.platform.schema import StepMetrics, Trace
from oasis.testing.replies import Reply, fail_first, malformed_for
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import GARBLED, acting_reply, experiment


def run(config):
    with Simulation.open(config) as simulation:
        simulation.run()
        return simulation.platform.dump(), _tables(simulation)


def _tables(simulation):
    with simulation.platform.reader() as reader:
        return reader.table(Trace), reader.table(StepMetrics)


def test_three_steps_of_fifty_llm_agents(tmp_path, llm_server):
    config = experiment(
        tmp_path, "llm", llm={"endpoints": [llm_server.base_url], "model": "scripted"}
    )
    dump, (trace, metrics) = run(config)
    assert llm_server.log.requests == metrics["metrics"].map(lambda m: m["llm_active"]).sum() > 0
    made = Counter(trace[trace["ok"]]["action"])
    assert made["create_post"] > 0 and made["like_post"] > 0 and made["follow"] > 0
    assert len(dump["post"]) >= made["create_post"]
    assert len(dump["like"]) == made["like_post"] - made["unlike_post"]
    garbled = trace[trace["user_id"].isin(GARBLED)]
    assert len(garbled) > 0
    assert set(garbled["action"]) == {"do_nothing"}
    assert all("not json" in args["raw"] for args in garbled["args"])
    assert list(metrics["step"]) == [0, 1, 2]
    assert metrics["metrics"].map(lambda m: m["invalid_outputs"]).sum() > 0


def test_same_seed_and_answers_give_the_same_database(tmp_path, llm_server):
    llm = {"endpoints": [llm_server.base_url], "model": "scripted"}
    first, _ = run(experiment(tmp_path, "a", llm=llm))
    second, _ = run(experiment(tmp_path, "b", llm=llm))
    other, _ = run(experiment(tmp_path, "c", llm=llm, seed=6))
    assert first == second
    assert first["trace"] != other["trace"]


def test_llm_failures_are_counted_and_the_steps_complete(tmp_path):
    flaky = fail_first(1, Reply(status=500), malformed_for({5, 6}, "truncated", acting_reply))
    with ScriptedLLMServer(flaky) as server:
        # Every agent's first request fails: a bound of 1.0 lets the run go on regardless.
        llm = {"endpoints": [server.base_url], "model": "scripted", "max_retries": 0,
               "max_failure_rate": 1.0}  # fmt: skip
        _, (trace, metrics) = run(experiment(tmp_path, "flaky", llm=llm))
    stats = metrics["metrics"]
    assert stats.map(lambda m: m["failures"]).sum() > 0
    failed = trace[trace["args"].map(lambda a: "error: http_500" in str(a.get("raw")))]
    assert len(failed) == stats.map(lambda m: m["failures"]).sum()
    assert list(metrics["step"]) == [0, 1, 2]


def test_interviews_record_the_answers(tmp_path, llm_server):
    events = [{"step": 1, "kind": "interview", "question": "Do you support the policy?"}]
    llm = {"endpoints": [llm_server.base_url], "model": "scripted"}
    _, (trace, _) = run(experiment(tmp_path, "ask", llm=llm, events=events))
    asked = trace[trace["action"] == "interview"]
    assert len(asked) > 0 and set(asked["step"]) == {1}
    answered = [a for a in asked["args"] if "response" in a]
    assert answered and all(a["prompt"] == "Do you support the policy?" for a in answered)
