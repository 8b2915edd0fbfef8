"""Fixtures for the shard tests: one local Ray per session, a scripted LLM, small experiments."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.memory import AgentMemory, MemoryEntry
from oasis.agents.observation import CommentView, Observation, PostView
from oasis.agents.policy import AgentContext
from oasis.agents.profile import Profile
from oasis.agents.shards.ray_runtime import ensure_ray
from oasis.agents.shards.settings import RaySettings
from oasis.config import ExperimentConfig, load_config
from oasis.testing.replies import with_latency
from oasis.testing.scripted_llm import ScriptedLLMServer

MakeConfig = Callable[..., ExperimentConfig]


@pytest.fixture(scope="session")
def ray_session() -> Iterator[None]:
    """The one local Ray of the test session (2 CPUs, token auth off), shut down at the end."""
    import ray

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    started = ensure_ray(RaySettings(mode="local"), num_cpus=2)
    yield
    if started:
        ray.shutdown()


@pytest.fixture(scope="module")
def llm_server() -> Iterator[ScriptedLLMServer]:
    """A scripted LLM whose answers take 0.2 s, so a shard's call is in flight long enough."""
    with ScriptedLLMServer(with_latency(0.2)) as server:
        yield server


@pytest.fixture(scope="module")
def make_config(
    llm_server: ScriptedLLMServer, tmp_path_factory: pytest.TempPathFactory
) -> MakeConfig:
    """An experiment of 60 synthetic users, half of them LLM agents, 3 steps, in a fresh folder."""

    def make(mode: str = "none", shards: int = 1, **extra: Any) -> ExperimentConfig:
        folder = tmp_path_factory.mktemp(f"run-{mode}-{shards}")
        raw = {
            "seed": 2,
            "steps": 3,
            "output": str(folder),
            "population": {"source": "synthetic", "n_users": 60},
            "activation": {"views_per_hour": 0.3},
            "llm": {"endpoints": [llm_server.base_url], "model": "scripted"},
            "policy": {"llm_share": 0.5},
            "ray": {"mode": mode, "shards": shards, "cpus_per_shard": 0.25},
            **extra,
        }
        (folder / "experiment.yaml").write_text(yaml.safe_dump(raw))
        return load_config(Path(folder) / "experiment.yaml", environ={})

    return make


def make_context(agent_id: int, step: int = 2) -> AgentContext:
    """A context with a feed of two posts (one a quote with a comment), memory and notes."""
    profile = Profile(agent_id, f"u{agent_id}", f"User {agent_id}", "bio é", "curious", ("a", "b"))
    memory = AgentMemory((MemoryEntry(1, "like_post(post_id=3)", "ok"),), "step 1: 2 posts")
    feed = (
        PostView(3, 5, "u5", "hello", 0, likes=2, comments=(CommentView(9, 4, "so true", 1),)),
        PostView(
            4, 6, "u6", "my take", 1, original_post_id=3, quoted_content="hello", flagged=True
        ),
    )
    observation = Observation(agent_id, step, "2026-01-01 02:00", feed, 3, 4, ("1 new like",))
    return AgentContext(profile, memory, observation)


def make_batch(agent_ids: list[int], seed: int = 0) -> HeuristicBatch:
    """A heuristic batch with feeds of 0 to 4 posts per agent."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 5, len(agent_ids))
    n = int(lengths.sum())
    return HeuristicBatch(
        agent_ids=np.array(agent_ids, np.int64),
        indptr=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        post_ids=rng.integers(1, 50, n).astype(np.int64),
        author_ids=rng.integers(0, 20, n).astype(np.int64),
        similarity=rng.uniform(-1, 1, n),
        popularity=rng.integers(0, 30, n).astype(np.float64),
        comment_ids=np.where(rng.random(n) < 0.5, rng.integers(1, 90, n), -1),
        comment_scores=rng.integers(-3, 10, n).astype(np.float64),
        topics=[f"topic {a}" for a in agent_ids],
    )
