"""Token accounting and the answer cache in whole runs, counted by the scripted server."""

from __future__ import annotations

from fastapi.testclient import TestClient

from oasis.api.app import create_app
from oasis.loop.fork import fork
from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation
from oasis.platform.schema import StepMetrics
from tests.factories import experiment, finished_dump

K = 2
STEPS = 5


def llm(server, tmp_path, cache=True):
    settings = {"endpoints": [server.base_url], "model": "scripted"}
    return settings | ({"cache": str(tmp_path / "answers")} if cache else {})


def step_metrics(simulation):
    with simulation.platform.reader() as reader:
        table = reader.table(StepMetrics).sort_values("step")
    return {int(s): m for s, m in zip(table["step"], table["metrics"], strict=True)}


def test_token_counts_per_step_are_the_servers_usage(tmp_path, llm_server):
    with Simulation.open(
        experiment(tmp_path, "tokens", llm=llm(llm_server, tmp_path))
    ) as simulation:
        seen = []
        for _ in range(3):
            before = (llm_server.log.prompt_tokens, llm_server.log.completion_tokens)
            requests = llm_server.log.requests
            simulation.step()
            log = llm_server.log
            seen.append(
                (
                    log.requests - requests,
                    log.prompt_tokens - before[0],
                    log.completion_tokens - before[1],
                )
            )
        metrics = step_metrics(simulation)
    assert all(requests > 0 for requests, _, _ in seen)
    assert [
        (m["requests"], m["prompt_tokens"], m["completion_tokens"]) for m in metrics.values()
    ] == seen


def test_with_the_cache_a_rerun_asks_nothing_and_a_fork_asks_only_after_k(tmp_path, llm_server):
    common = {"steps": STEPS, "policy": {"llm_share": 0.5}, "llm": llm(llm_server, tmp_path)}
    parent = experiment(tmp_path, "parent", **common)
    dump = finished_dump(parent)
    asked = llm_server.log.requests
    assert asked > 0

    with Simulation.open(experiment(tmp_path, "rerun", **common)) as rerun:
        rerun.run()
        assert llm_server.log.requests == asked  # not one request
        assert rerun.platform.dump() == dump
        assert all(m["requests"] == 0 and m["cache_hits"] > 0 for m in step_metrics(rerun).values())

    post = {"step": K + 1, "kind": "post", "user_id": 0, "content": "BREAKING: a fact-check"}
    child = experiment(tmp_path, "child", events=[post], **common)
    with fork(parent.output, K, child) as simulation:
        assert llm_server.log.requests == asked  # the world up to K came from the cache
        simulation.run()
        metrics = step_metrics(simulation)
        assert [metrics[s]["requests"] for s in range(K + 1)] == [0] * (K + 1)
        assert sum(metrics[s]["requests"] for s in range(K + 1, STEPS)) > 0
        assert llm_server.log.requests > asked
        files = write_run(simulation)
    summary = files[-1].read_text()
    assert f"Forked from `{parent.output}` after step {K}." in summary
    assert "## LLM usage" in summary and "cache_hits" in summary

    with TestClient(create_app(child.database_url)) as client:
        run = client.get("/run").json()
    assert run["lineage"] == {"parent": str(parent.output), "at_step": K}
    assert run["llm_usage"]["cache_hits"] == sum(m["cache_hits"] for m in metrics.values())
    assert run["llm_usage"]["requests"] == sum(m["requests"] for m in metrics.values())
