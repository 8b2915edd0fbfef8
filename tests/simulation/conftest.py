"""A scripted LLM that acts on what it is shown, and experiment configs around it."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from oasis.config import ExperimentConfig
from oasis.datasets.settings import BUILTIN_DATA
from oasis.loop.simulation import Simulation
from oasis.testing.replies import Reply, Responder, agent_id_of
from oasis.testing.scripted_llm import ScriptedLLMServer

GARBLED = frozenset({3, 17, 31})
_FEED_POST = re.compile(r"^- post (\d+) by \S+ \(user (\d+)\)", re.MULTILINE)


def acting_reply(request: Mapping[str, Any]) -> Reply:
    """Like the first post of the feed and follow its author; with an empty feed, post.

    Agents in GARBLED answer text that is not JSON.
    """
    agent = agent_id_of(request)
    if agent in GARBLED:
        return Reply(text="I would rather not say {not json")
    prompt = request["messages"][-1]["content"]
    if "interview" in str(request["messages"][0]["content"]).lower():
        return Reply(text=f"Agent {agent} supports the policy.")
    shown = _FEED_POST.findall(prompt)
    if not shown:
        actions = [{"action": "create_post", "args": {"content": f"hello from agent {agent}"}}]
    else:
        post_id, author = (int(x) for x in shown[0])
        actions = [
            {"action": "like_post", "args": {"post_id": post_id}},
            {"action": "follow", "args": {"followee_id": author}},
        ]
    return Reply(text=json.dumps({"actions": actions}))


class Gate:
    """Answers of ``responder``; while closed, a retryable 503 (the client asks again), so no run
    that asks the LLM gets past its step until the gate opens: a test holds a run at an event."""

    def __init__(self, responder: Responder = acting_reply) -> None:
        self.responder = responder
        self.open = threading.Event()
        self.open.set()

    def __call__(self, request: Mapping[str, Any]) -> Reply:
        return self.responder(request) if self.open.is_set() else Reply(status=503)


@pytest.fixture
def llm_server() -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer(acting_reply) as server:
        yield server


def experiment(tmp_path: Path, name: str, **overrides: Any) -> ExperimentConfig:
    """A 50-agent Twitter experiment writing to ``tmp_path/name``."""
    raw: dict[str, Any] = {
        "name": name,
        "seed": 5,
        "steps": 3,
        "output": str(tmp_path / name),
        "population": {"source": "synthetic", "n_users": 50},
        "activation": {"kind": "uniform", "views_per_hour": 0.6},
        "recsys": {"kind": "twitter", "k": 5},
    }
    for key, value in overrides.items():
        raw[key] = value
    config = ExperimentConfig.model_validate(raw)
    pop = config.population
    builtin = BUILTIN_DATA
    return config.model_copy(
        update={
            "population": pop.model_copy(
                update={"path": builtin / "twitter" / "user_all_id_time.csv"}
            )
        }
    )


def herd_experiment(tmp_path: Path) -> ExperimentConfig:
    """Twelve herd threads of the counterfactual seed on Reddit, no agent active: the planted
    votes alone, four steps."""
    return experiment(
        tmp_path,
        "herd",
        steps=4,
        platform={"kind": "reddit"},
        activation={"kind": "uniform", "views_per_hour": 0.0},
        herd={"path": str(BUILTIN_DATA / "reddit" / "counterfactual_36.json"), "threads": 12},
    )


def finished_dump(config: ExperimentConfig) -> dict[str, list[tuple[Any, ...]]]:
    """Run ``config`` to its end and return its world tables (``Platform.dump``)."""
    simulation = Simulation.open(config)
    try:
        simulation.run()
        return simulation.platform.dump()
    finally:
        simulation.close()
