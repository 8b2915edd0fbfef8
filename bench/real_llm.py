"""A small run against the local model (SmolLM2-135M on llama-server, one CPU thread).

Prints tokens per second, milliseconds per request, the share of decisions that parsed, the
share of actions that failed for an id the model invented, and the action mix, with the machine.
``--loose`` asks with the schema as it was before ids and texts were bounded (any integer id,
strings of any length), for comparison.

    scripts/local_llm.sh && python -m bench.real_llm [--agents 6 --steps 3 --loose]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from bench.machine import describe
from oasis.agents.llm import policy as llm_policy
from oasis.agents.llm.action_schema import response_format
from oasis.config import ExperimentConfig
from oasis.datasets.settings import BUILTIN_DATA
from oasis.loop.simulation import Simulation
from oasis.platform.schema import StepMetrics, Trace
from oasis.testing.local_llm import ALIAS, LocalModelServer, default_cache

INVENTED = {"post_not_found", "comment_not_found", "user_not_found", "group_not_found",
            "self_follow", "self_mute"}  # fmt: skip


def loose_format(allowed: Any, max_actions: int, *_: Any) -> dict[str, Any]:
    """The answer schema without id enums and without maxLength (as before they were added)."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "maxLength"}
        return [strip(v) for v in node] if isinstance(node, list) else node

    return strip(response_format(allowed, max_actions))  # type: ignore[no-any-return]


def config(folder: Path, url: str, agents: int, steps: int) -> ExperimentConfig:
    return ExperimentConfig.model_validate({
        "name": "real-llm", "seed": 7, "steps": steps, "output": str(folder),
        "population": {"source": "synthetic", "n_users": 40,
                       "path": str(BUILTIN_DATA / "twitter" / "user_all_id_time.csv")},
        "activation": {"kind": "uniform", "views_per_hour": 1.0},
        "recsys": {"kind": "twitter", "k": 5},
        "policy": {"llm_agents": list(range(agents)), "llm_share": 0.0},
        "llm": {"endpoints": [url], "model": ALIAS, "max_concurrency": 1, "timeout_s": 300,
                "max_invalid_rate": 1.0},
    })  # fmt: skip


def report(trace: pd.DataFrame, metrics: list[dict[str, Any]], agents: int) -> None:
    requests = sum(m["requests"] for m in metrics)
    seconds = sum(m["decide_s"] for m in metrics)
    completion = sum(m["completion_tokens"] for m in metrics)
    prompt = sum(m["prompt_tokens"] for m in metrics)
    cached = sum(m["prefix_cached_tokens"] for m in metrics)
    mine = trace[trace["user_id"] < agents]
    invalid = mine["result"].map(lambda r: "invalid" in r).sum()
    invented = mine["reason"].isin(INVENTED).sum()
    print(f"requests {requests}, {seconds / max(requests, 1) * 1000:.0f} ms per request, "
          f"{completion / seconds:.1f} completion tokens/s, {prompt / seconds:.0f} prompt tokens/s"
          f" ({cached} of {prompt} prompt tokens from the server's prefix cache)")  # fmt: skip
    reasons = mine["result"].map(lambda r: r.get("invalid")).dropna().value_counts().to_dict()
    print(
        f"decisions parsed: {requests - invalid} of {requests} "
        f"({100 * (requests - invalid) / max(requests, 1):.0f}%); invalid: {reasons}"
    )
    print(
        f"actions failed for an invented id: {invented} of {len(mine)} "
        f"({100 * invented / max(len(mine), 1):.0f}%); all failures: "
        f"{mine[~mine['ok']]['reason'].value_counts().to_dict()}"
    )
    print(f"action mix: {mine['action'].value_counts().to_dict()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=6)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--loose", action="store_true", help="the unbounded schema of before")
    args = parser.parse_args()
    if args.loose:
        llm_policy.response_format = loose_format  # type: ignore[assignment]
    cache = Path(os.environ.get("OASIS_LLM_CACHE") or default_cache())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with LocalModelServer(cache, folder / "server.log") as server:
            exp = config(folder / "run", server.base_url, args.agents, args.steps)
            with Simulation.open(exp) as simulation:
                simulation.run()
                with simulation.platform.reader() as reader:
                    trace = reader.table(Trace)
                    metrics = list(reader.table(StepMetrics)["metrics"])
    schema = "loose (before)" if args.loose else "per-agent ids, maxLength"
    print(
        f"machine: {describe()}; load {os.getloadavg()[0]:.1f}; llama-server -t 1, "
        f"SmolLM2-135M-Instruct Q4_1; {args.agents} LLM agents x {args.steps} steps; "
        f"schema: {schema}"
    )
    report(trace, metrics, args.agents)


if __name__ == "__main__":
    main()
