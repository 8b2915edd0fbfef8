"""Fixtures for the shard tests: one local Ray per session, a scripted LLM, small experiments."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from oasis.agents.shards.ray_runtime import ensure_ray
from oasis.agents.shards.settings import RaySettings
from oasis.config import ExperimentConfig
from oasis.testing.replies import with_latency
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import shard_experiment

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
    """An experiment of 60 synthetic users, half of them LLM agents, 3 steps, in a fresh folder
    (``shard_experiment``)."""

    def make(mode: str = "none", shards: int = 1, **extra: Any) -> ExperimentConfig:
        folder = tmp_path_factory.mktemp(f"run-{mode}-{shards}")
        return shard_experiment(folder, llm_server, mode, shards, **extra)

    return make
