"""Ray shards: same database whatever the shard count, and a killed shard loses nothing."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.policy import AgentContext
from oasis.agents.shards.pool import LocalPool, RayPool
from oasis.agents.shards.worker import Decisions
from oasis.config import ExperimentConfig
from oasis.core.actions import Action
from oasis.loop import simulation as simulation_module
from oasis.loop.simulation import Simulation
from oasis.platform.schema import StepMetrics
from oasis.testing.replies import with_latency
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import make_batch, make_context, shard_experiment
from tests.shards.conftest import MakeConfig

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_session")]

# Figures that depend on the machine or on what the LLM server saw before (its prefix cache:
# the runs share one server), not on the simulation.
_TIMING = ("decide_s", "shards", "phases", "previous_step_phases", "prefix_cached_tokens")


def run(config: ExperimentConfig) -> tuple[dict[str, list[tuple[Any, ...]]], list[dict[str, Any]]]:
    """Run the experiment; its world tables, its step metrics rows and each step's metrics."""
    with Simulation.open(config) as simulation:
        simulation.run()
        dump = simulation.platform.dump()
        with simulation.platform.reader() as reader:
            rows = reader.table(StepMetrics).sort_values("step")
    metrics = list(rows["metrics"])
    steps = [_simulated(m) for m in metrics]
    return dump | {"step_metrics": list(zip(rows["step"], steps, strict=True))}, metrics


def _simulated(figures: dict[str, Any]) -> dict[str, Any]:
    """A step's figures without those of ``_TIMING``, also inside each LLM group's usage."""
    kept = {k: v for k, v in figures.items() if k not in _TIMING}
    if "llm_groups" in kept:
        kept["llm_groups"] = {g: _simulated(u) for g, u in kept["llm_groups"].items()}
    return kept


@pytest.fixture(scope="module")
def baseline(make_config: MakeConfig) -> dict[str, list[tuple[Any, ...]]]:
    """The database of the run without Ray."""
    return run(make_config())[0]


@pytest.mark.parametrize("shards", [1, 3])
def test_same_database_with_any_shard_count(
    make_config: MakeConfig, baseline: dict[str, list[tuple[Any, ...]]], shards: int
) -> None:
    assert len(baseline["trace"]) > 30 and baseline["agent_memory"]
    dump, metrics = run(make_config("local", shards))
    assert dump == baseline
    assert [len(m["shards"]) for m in metrics] == [shards] * 3
    assert sum(s["stats"]["requests"] for s in metrics[0]["shards"]) == metrics[0]["requests"]


class KillingPool(RayPool):
    """Kills shard 0 right after sending it its part of step 1, its LLM calls in flight."""

    step = -1
    killed = False

    def decide(
        self, step: int, contexts: list[AgentContext], heuristic: HeuristicBatch
    ) -> Decisions:
        self.step = step
        return super().decide(step, contexts, heuristic)

    def _submit(self, shard: int, method: str, args: Any) -> Any:
        import ray

        ref = super()._submit(shard, method, args)
        if self.step == 1 and shard == 0 and not self.killed:
            self.killed = True
            ray.kill(self.actors[0])
        return ref


def test_killed_shard_is_restarted_and_the_step_commits_once(
    make_config: MakeConfig,
    baseline: dict[str, list[tuple[Any, ...]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(simulation_module, "make_pool", KillingPool)
    dump, metrics = run(make_config("local", 2))
    assert [s["restarts"] for s in metrics[1]["shards"]] == [1, 0]
    assert [s["restarts"] for m in (metrics[0], metrics[2]) for s in m["shards"]] == [0] * 4
    assert [step for step, _ in dump["step_metrics"]] == [0, 1, 2]
    per_agent_step = Counter((row[1], row[2]) for row in dump["trace"])
    assert per_agent_step == Counter((row[1], row[2]) for row in baseline["trace"])
    assert dump == baseline


def test_pool_answers_in_the_callers_order(make_config: MakeConfig) -> None:
    config = make_config("local", 3)
    contexts = [make_context(i) for i in (7, 2, 9, 4, 3)]
    batch = make_batch([10, 5, 8, 1, 6, 12], seed=1)
    expected = LocalPool(config.worker_spec()).decide(2, contexts, batch)
    pool = RayPool(config.worker_spec(), config.ray)
    try:
        decided = pool.decide(2, contexts, batch)
        asked = pool.interview(contexts, "What now?")
    finally:
        pool.close()
    assert decided.llm == expected.llm
    assert decided.heuristic == expected.heuristic
    assert decided.stats == expected.stats
    # agent id % 3: LLM 9, 3 | 7, 4 | 2 and heuristic 6, 12 | 10, 1 | 5, 8
    assert [(u.shard, u.llm_agents, u.heuristic_agents) for u in decided.shards] == [
        (0, 2, 2), (1, 2, 2), (2, 1, 2)
    ]  # fmt: skip
    assert [a.agent_id for a in asked] == [7, 2, 9, 4, 3]
    assert all(isinstance(a, Action) and a.args["response"] for a in asked)


@pytest.mark.parametrize(("mode", "shards"), [("none", 1), ("local", 2)])
def test_llm_requests_in_flight_are_seen_during_a_step(
    tmp_path: Path, mode: str, shards: int
) -> None:
    # Answers that take a second: long enough for the test's thread to see them in flight when
    # the machine is loaded (with the module's 0.2 s, every look at the shards took longer than
    # their requests under a load of 6-10, and none was seen).
    with (
        ScriptedLLMServer(with_latency(1.0)) as server,
        Simulation.open(shard_experiment(tmp_path, server, mode, shards)) as simulation,
    ):
        seen = []
        stepping = threading.Thread(target=simulation.step)
        stepping.start()
        while stepping.is_alive():
            seen.append(simulation.llm_in_flight())
            time.sleep(0.01)
        stepping.join()
        assert max(seen) > 0
        assert simulation.llm_in_flight() == 0
