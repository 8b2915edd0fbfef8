"""Ray shards: wall time and per-agent-step overhead with 1, 2 and 4 shards, and memory at scale.

    python -m bench.shards [--llm-agents 10000] [--latency-ms 50]
        [--users 1000000] [--activation 0.1] [--full-users 100000]

1. LLM agents: one step of ``--llm-agents`` contexts (10 posts each) through the scripted
   OpenAI-compatible server run as a process with a fixed latency, in-process and on 1, 2, 4
   shards. Overhead per agent-step = (wall - slowest shard's own time) / agents: what the
   records and Ray add on the driver's side.
2. Heuristic agents: ``--users`` ids, activation ``--activation`` (the loop's own draw), feeds
   of 10 entries, 3 steps on 2 shards: wall, peak memory of driver and shards. Shards hold
   nothing per idle agent, so their memory is per active agent per step.
3. The whole loop (``Simulation``) with ``--full-users`` heuristic users on 2 shards: the
   driver's memory per idle agent beyond its profile text.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import yaml

from bench.machine import describe, peak_rss_mb
from bench.scripted import scripted_server
from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.memory import AgentMemory
from oasis.agents.observation import CommentView, Observation, PostView
from oasis.agents.policy import AgentContext
from oasis.agents.profile import Profile
from oasis.agents.shards.pool import AgentPool, LocalPool, RayPool
from oasis.agents.shards.ray_runtime import ensure_ray
from oasis.agents.shards.shard import rss_mb
from oasis.agents.shards.worker import Decisions, ShardUsage
from oasis.config import ExperimentConfig, load_config
from oasis.core.actions import Action
from oasis.core.clock import draw_active
from oasis.loop.simulation import Simulation
from oasis.loop.step_runner import StepReport

FEED = 10


def context(i: int) -> AgentContext:
    """An LLM agent's context with a feed of 10 posts, like a mid-run step."""
    posts = tuple(
        PostView(p, p % 50, f"user{p % 50}", f"post {p} about climate and markets " * 3, 1,
                 likes=p, comments=(CommentView(p * 10, 3, "agreed", 1),))
        for p in range(i % 7, i % 7 + FEED)
    )  # fmt: skip
    obs = Observation(i, 5, "day 1", feed=posts, followers=12, following=30)
    profile = Profile(i, f"user{i}", f"User {i}", "a bio", "curious", ("news",))
    return AgentContext(profile, AgentMemory(), obs)


def heuristic_batch(active: np.ndarray, rng: np.random.Generator) -> HeuristicBatch:
    """Active heuristic agents with 10 feed entries each, as ``step_inputs`` builds them."""
    n = len(active) * FEED
    return HeuristicBatch(
        agent_ids=active,
        indptr=np.arange(0, n + 1, FEED, dtype=np.int64),
        post_ids=rng.integers(1, 5000, n),
        author_ids=rng.integers(0, 1000, n),
        similarity=rng.uniform(-1, 1, n),
        popularity=rng.integers(0, 100, n).astype(np.float64),
        comment_ids=np.where(rng.random(n) < 0.5, rng.integers(1, 50_000, n), -1),
        comment_scores=rng.integers(-3, 20, n).astype(np.float64),
        topics=[f"topic {a % 97}" for a in active.tolist()],
    )


def empty_batch() -> HeuristicBatch:
    """No heuristic agents."""
    none = np.empty(0, np.int64)
    floats = none.astype(np.float64)
    return HeuristicBatch(none, np.zeros(1, np.int64), none, none, floats, floats, none, floats, [])


def config(shards: int, endpoint: str | None = None) -> ExperimentConfig:
    """A config for ``shards`` Ray shards (0: in-process), with ``endpoint`` as the LLM."""
    ray = {"mode": "local" if shards else "none", "shards": max(shards, 1), "cpus_per_shard": 0.5}
    llm = {"endpoints": [endpoint], "model": "scripted", "max_concurrency": 256} if endpoint else {}
    return ExperimentConfig.model_validate({"seed": 1, "ray": ray, "llm": llm})


def make_pool(shards: int, endpoint: str | None = None) -> AgentPool:
    """An in-process pool (0) or a Ray pool, warmed up with a step of a few agents per shard."""
    cfg = config(shards, endpoint)
    spec = cfg.worker_spec()
    pool: AgentPool = RayPool(spec, cfg.ray) if shards else LocalPool(spec)
    warm = [context(i) for i in range(4 * max(shards, 1))] if endpoint else []
    pool.decide(0, warm, empty_batch())
    return pool


def shard_line(shards: Sequence[ShardUsage]) -> str:
    """Peak memory of each shard, from the figures the pool reported."""
    peaks = [f"{u.peak_rss_mb:.0f}" for u in shards]
    return f"shard peak RSS MiB [{', '.join(peaks)}]" if peaks else ""


def bench_llm(agents: int, latency_ms: float) -> None:
    """One step of LLM agents in-process and on 1, 2, 4 shards."""
    with scripted_server(latency_ms) as endpoint:
        contexts = [context(i) for i in range(agents)]
        print(f"\n{agents} LLM agents, scripted LLM at {latency_ms:.0f} ms, 256 in flight/client")
        for shards in (0, 1, 2, 4):
            pool = make_pool(shards, endpoint)
            started = time.perf_counter()
            decided = pool.decide(5, contexts, empty_batch())
            wall = time.perf_counter() - started
            inner = max((u.seconds for u in decided.shards), default=wall)
            overhead_us = (wall - inner) / agents * 1e6
            label = f"{shards} shard(s)" if shards else "in-process"
            print(
                f"  {label:>11}: wall {wall:6.2f} s, {agents / wall:7.0f} agent-steps/s, "
                f"overhead {overhead_us:6.1f} us/agent-step, failures {decided.stats.failures} "
                f"{shard_line(decided.shards)}"
            )
            pool.close()


def bench_heuristic(users: int, activation: float) -> None:
    """Three steps of ``users`` heuristic agents at ``activation`` on 2 shards vs in-process."""
    ids = np.arange(users, dtype=np.int64)
    rng = np.random.default_rng(0)
    batches = [heuristic_batch(ids[draw_active(1, t, ids, activation)], rng) for t in range(3)]
    active = len(batches[0].agent_ids)
    print(f"\n{users} heuristic agents, activation {activation}: ~{active} active per step")
    for shards in (0, 2):
        pool = make_pool(shards)
        before = rss_mb()
        started = time.perf_counter()
        for t, batch in enumerate(batches):
            decided = pool.decide(t, [], batch)
        wall = (time.perf_counter() - started) / len(batches)
        label = f"{shards} shard(s)" if shards else "in-process"
        print(
            f"  {label:>11}: {wall:5.2f} s/step, {wall / active * 1e6:5.1f} us/agent-step, "
            f"driver RSS +{rss_mb() - before:.0f} MiB in steps, {shard_line(decided.shards)}"
        )
        pool.close()
    print(f"  driver peak RSS so far {peak_rss_mb():.0f} MiB (includes the 3 prepared batches)")


def bench_full(users: int, activation: float) -> None:
    """The whole loop on 2 shards: driver memory per idle agent beyond its profile text."""
    with tempfile.TemporaryDirectory() as folder:
        raw = {
            "seed": 1, "steps": 2, "output": folder,
            "population": {"source": "synthetic", "n_users": users},
            "activation": {"views_per_hour": activation},
            "ray": {"mode": "local", "shards": 2, "cpus_per_shard": 0.5},
        }  # fmt: skip
        path = Path(folder) / "experiment.yaml"
        path.write_text(yaml.safe_dump(raw))
        before = rss_mb()
        started = time.perf_counter()
        simulation = Simulation.open(load_config(path, environ={}))
        opened, held = time.perf_counter() - started, rss_mb() - before
        frame = simulation.roster.users
        text = sum(int(frame[c].astype(str).str.len().sum()) for c in ("name", "bio", "persona"))
        simulation.pool = recording = Recording(simulation.pool)
        reports: list[StepReport] = []
        simulation.run(reports.append)
        simulation.close()
    per_agent = (held * 2**20 - text) / users
    steps = ", ".join(f"{r.seconds:.1f}" for r in reports)
    print(f"\nwhole loop, {users} heuristic users, 2 shards: open {opened:.0f} s, steps {steps} s")
    print(
        f"  driver RSS held after open +{held:.0f} MiB = {held * 2**20 / users:.0f} B/agent, "
        f"{per_agent:.0f} B/agent beyond profile text ({text / users:.0f} B); "
        f"driver peak {peak_rss_mb():.0f} MiB; {shard_line(recording.shards)}"
    )


class Recording:
    """A pool that keeps the per-shard figures of the last step it decided."""

    def __init__(self, pool: AgentPool) -> None:
        self.pool = pool
        self.shards: tuple[ShardUsage, ...] = ()

    def decide(
        self, step: int, contexts: Sequence[AgentContext], heuristic: HeuristicBatch
    ) -> Decisions:
        """Decide with the wrapped pool and keep its shards' figures."""
        decided = self.pool.decide(step, contexts, heuristic)
        self.shards = decided.shards
        return decided

    def interview(self, contexts: Sequence[AgentContext], question: str) -> list[Action]:
        """Interview with the wrapped pool."""
        return self.pool.interview(contexts, question)

    def close(self) -> None:
        """Close the wrapped pool."""
        self.pool.close()


def main() -> None:
    """Run the three benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm-agents", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--activation", type=float, default=0.1)
    parser.add_argument("--full-users", type=int, default=100_000)
    parser.add_argument("--skip", nargs="*", default=(), choices=("llm", "heuristic", "full"))
    args = parser.parse_args()
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    print(describe())
    ensure_ray(config(4).ray)
    if "llm" not in args.skip:
        bench_llm(args.llm_agents, args.latency_ms)
    if "heuristic" not in args.skip:
        bench_heuristic(args.users, args.activation)
    if "full" not in args.skip:
        bench_full(args.full_users, args.activation)


if __name__ == "__main__":
    main()
