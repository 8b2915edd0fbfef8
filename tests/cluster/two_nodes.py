"""Run agent shards and a sweep on a real two-node Ray cluster on this machine; print JSON.

Run as ``python -m tests.cluster.two_nodes FOLDER``; ``test_two_nodes`` starts it in a process of
its own, because the test session's local Ray cannot be turned into a cluster in place. Each of the
two nodes (Ray's own ``cluster_utils.Cluster``: a head and a worker node, each its raylet) has one
CPU, so two one-CPU shards or sweep runs must take one node each.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from oasis.agents.shards.settings import RaySettings
from oasis.loop.settings import SweepSettings
from oasis.loop.sweep import run_sweep, sweep_points
from oasis.platform import Platform
from oasis.platform.schema import StepMetrics
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import acting_reply, experiment, finished_dump


def shard_nodes(database_url):
    platform = Platform.open(database_url, read_only=True)
    try:
        with platform.reader() as reader:
            metrics = reader.table(StepMetrics)["metrics"]
    finally:
        platform.close()
    return sorted({s["node"] for m in metrics for s in m["shards"]})


def main(folder: Path) -> None:
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
    )
    cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, log_to_driver=False, configure_logging=False)
    try:
        nodes = sorted(n["NodeID"] for n in ray.nodes() if n["Alive"])
        with ScriptedLLMServer(acting_reply) as server:
            llm = {"endpoints": [server.base_url], "model": "scripted"}
            on_two = {"mode": "cluster", "address": cluster.address, "shards": 2}
            common = {"steps": 3, "llm": llm, "policy": {"llm_share": 0.5}}
            sharded = experiment(folder, "two-nodes", ray=on_two, **common)
            in_process = experiment(folder, "one-process", **common)
            shards_same = finished_dump(sharded) == finished_dump(in_process)
        sweep = SweepSettings(
            grid={"recsys.kind": ("random",)},
            seeds=(1, 2),
            fixed={"steps": 2},
            output=folder / "sweep",
            ray=RaySettings(mode="cluster", address=cluster.address),
        )
        base = experiment(folder, "base")
        result = run_sweep(base, sweep)
        sweep_same = []
        for point in sweep_points(base, sweep):
            on_one = point.config.model_copy(update={"output": folder / f"one-{point.seed}"})
            mine = Platform.open(point.config.database_url, read_only=True)
            sweep_same.append(mine.dump() == finished_dump(on_one))
            mine.close()
        report = {
            "nodes": nodes,
            "shard_nodes": shard_nodes(sharded.database_url),
            "shards_same_database": shards_same,
            "sweep_nodes": sorted(set(result.runs["node"])),
            "sweep_same_databases": sweep_same,
        }
    finally:
        ray.shutdown()
        cluster.shutdown()
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    main(Path(sys.argv[1]))
