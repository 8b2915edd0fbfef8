"""Stance-judge requests and the server's prefix-cache hits in a step's figures, the summary
and ``GET /run``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from oasis.api.app import create_app
from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation
from oasis.platform.schema import StepMetrics
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import agents_and_judge, judged_experiment


def test_judge_requests_and_prefix_cache_hits_are_counted_per_step(tmp_path):
    with ScriptedLLMServer(agents_and_judge) as server:
        config = judged_experiment(tmp_path, "counted", server)
        with Simulation.open(config) as simulation:
            simulation.run()
            with simulation.platform.reader() as reader:
                table = reader.table(StepMetrics).sort_values("step")
            files = write_run(simulation)
        judged = sum("rate stances" in str(b["messages"][0]) for b in server.log.bodies)
        log = server.log
    metrics = dict(zip(table["step"], table["metrics"], strict=True))
    assert [metrics[s]["judge_requests"] for s in (0, 1, 2)] == [0, judged, 0] and judged > 0
    assert sum(m["requests"] for m in metrics.values()) == log.requests
    assert sum(m["prefix_cached_tokens"] for m in metrics.values()) == log.cached_tokens > 0
    assert metrics[1]["prefix_cached_tokens"] > 0
    summary = files[-1].read_text()
    assert "judge_requests" in summary and "prefix_cached_tokens" in summary
    with TestClient(create_app(config.database_url)) as client:
        usage = client.get("/run").json()["llm_usage"]
    assert usage["judge_requests"] == judged
    assert usage["prefix_cached_tokens"] == log.cached_tokens
