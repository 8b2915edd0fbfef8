"""What the tests build again and again, built in one place: experiments (as configs and as
files), the scripted LLM's answers they run against, finished runs, and agent contexts."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.memory import AgentMemory, MemoryEntry
from oasis.agents.observation import CommentView, Observation, PostView
from oasis.agents.policy import AgentContext
from oasis.agents.profile import Profile
from oasis.config import ExperimentConfig, experiment_yaml, load_config
from oasis.datasets.settings import BUILTIN_DATA
from oasis.loop.simulation import Simulation
from oasis.platform.schema import Base
from oasis.testing.replies import Reply, Responder, agent_id_of
from oasis.testing.scripted_llm import ScriptedLLMServer

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# ---------------------------------------------------------------------------------------------
# Experiments


def experiment(folder: Path, name: str, **keys: Any) -> ExperimentConfig:
    """A 50-agent Twitter experiment of 3 steps writing to ``folder/name``; ``keys`` replace its
    top-level keys (a section given replaces the whole section)."""
    raw: dict[str, Any] = {
        "name": name,
        "seed": 5,
        "steps": 3,
        "output": str(folder / name),
        "population": {"source": "synthetic", "n_users": 50},
        "activation": {"kind": "uniform", "views_per_hour": 0.6},
        "recsys": {"kind": "twitter", "k": 5},
        **keys,
    }
    config = ExperimentConfig.model_validate(raw)
    population = config.population.model_copy(
        update={"path": BUILTIN_DATA / "twitter" / "user_all_id_time.csv"}
    )
    return config.model_copy(update={"population": population})


def herd_experiment(folder: Path) -> ExperimentConfig:
    """Twelve herd threads of the counterfactual seed on Reddit, no agent active: the planted
    votes alone, four steps."""
    return experiment(
        folder,
        "herd",
        steps=4,
        platform={"kind": "reddit"},
        activation={"kind": "uniform", "views_per_hour": 0.0},
        herd={"path": str(BUILTIN_DATA / "reddit" / "counterfactual_36.json"), "threads": 12},
    )


def judged_experiment(folder: Path, name: str, server: ScriptedLLMServer) -> ExperimentConfig:
    """``experiment`` with 30% LLM agents on ``server`` (``agents_and_judge``), interviewed at
    step 1 on a 1 (play it safe) to 5 (take the risk) scale that the judge scores."""
    events = [{"step": 1, "kind": "interview", "question": "Should Helen take the risk?"}]
    scale = {"low": 1, "high": 5, "low_label": "play it safe", "high_label": "take the risk"}
    return experiment(
        folder, name, llm=scripted_llm(server), events=events, policy={"llm_share": 0.3},
        interview={"scale": scale},
    )  # fmt: skip


def voted_herd_experiment(folder: Path) -> ExperimentConfig:
    """All 36 herd threads of the counterfactual seed on Reddit, five steps of agents voting
    (after the three steps that set the threads up)."""
    return experiment(
        folder,
        "herd",
        steps=8,
        platform={"kind": "reddit"},
        activation={"kind": "uniform", "views_per_hour": 0.3},
        herd={"path": str(BUILTIN_DATA / "reddit" / "counterfactual_36.json")},
    )


def finished_herd(config: ExperimentConfig) -> pd.DataFrame:
    """Run the herd experiment ``config`` to its end; its herd table."""
    with Simulation.open(config) as simulation:
        simulation.run()
        return simulation.herd_table()


def experiment_file(folder: Path, **keys: Any) -> Path:
    """``folder/exp.yaml`` holding ``keys`` as an experiment file, for ``oasis run`` and
    ``load_config``."""
    path = folder / "exp.yaml"
    path.write_text(experiment_yaml(keys), encoding="utf-8")
    return path


def example_file(name: str, folder: Path, **keys: Any) -> Path:
    """``examples/<name>.yaml`` copied into ``folder`` with ``keys`` replacing its top-level
    keys and its ``builtin:`` paths made absolute, for ``oasis run``."""
    text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
    raw = {**yaml.safe_load(text.replace("builtin:", f"{BUILTIN_DATA}/")), **keys}
    path = folder / f"{name}.yaml"
    path.write_text(experiment_yaml(raw), encoding="utf-8")
    return path


def scripted_llm(server: ScriptedLLMServer, **keys: Any) -> dict[str, Any]:
    """The ``llm`` section of an experiment served by ``server`` (model ``scripted``)."""
    return {"endpoints": [server.base_url], "model": "scripted", **keys}


def shard_experiment(
    folder: Path, server: ScriptedLLMServer, mode: str = "none", shards: int = 1, **keys: Any
) -> ExperimentConfig:
    """60 synthetic users, half of them LLM agents on ``server``, 3 steps, their decisions in
    ``shards`` shards of Ray ``mode``, loaded from a file in ``folder`` as ``oasis run`` does."""
    raw = {
        "seed": 2,
        "steps": 3,
        "output": str(folder),
        "population": {"source": "synthetic", "n_users": 60},
        "activation": {"views_per_hour": 0.3},
        "llm": scripted_llm(server),
        "policy": {"llm_share": 0.5},
        "ray": {"mode": mode, "shards": shards, "cpus_per_shard": 0.25},
        **keys,
    }
    return load_config(experiment_file(folder, **raw), environ={})


def scaled(config: ExperimentConfig, output: Path, steps: int = 3) -> ExperimentConfig:
    """``config`` at test size: at most ``steps`` steps and 300 synthetic users, no Ray."""
    population = config.population.model_copy(
        update={"n_users": min(config.population.n_users, 300)}
    )
    return config.model_copy(
        update={
            "output": output,
            "steps": min(config.steps, steps),
            "population": population,
            "ray": config.ray.model_copy(update={"mode": "none"}),
        }
    )


# ---------------------------------------------------------------------------------------------
# The scripted LLM's answers

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


def agents_and_judge(request: Mapping[str, Any]) -> Reply:
    """Agents answer by parity; the judge rates 'take the risk' 5, anything else 1 (scale 1..5)."""
    system = str(request["messages"][0]["content"])
    if "rate stances" in system:
        answer = request["messages"][-1]["content"].split("Answer: ", 1)[1].split("\n\n")[0]
        return Reply(text=json.dumps({"score": 5 if "take the risk" in answer else 1}))
    if "interview" in system.lower():
        agent = agent_id_of(request) or 0
        return Reply(text="She should take the risk." if agent % 2 else "Play it safe.")
    return acting_reply(request)


# ---------------------------------------------------------------------------------------------
# Finished runs


def finished_dump(
    config: ExperimentConfig, resume: bool = False
) -> dict[str, list[tuple[Any, ...]]]:
    """Run ``config`` to its end (``resume``: from where it stopped) and return its world
    tables (``Platform.dump``)."""
    with Simulation.open(config, resume=resume) as simulation:
        simulation.run()
        return simulation.platform.dump()


def finished_tables(
    config: ExperimentConfig, *tables: type[Base], resume: bool = False
) -> list[pd.DataFrame]:
    """Run ``config`` to its end (``resume``: from where it stopped) and read ``tables`` from
    its database."""
    with Simulation.open(config, resume=resume) as simulation:
        simulation.run()
        with simulation.platform.reader() as reader:
            return [reader.table(table) for table in tables]


# ---------------------------------------------------------------------------------------------
# Agent contexts


def make_profile(agent_id: int) -> Profile:
    """User ``agent_id``'s profile: a curious reader of science and music."""
    return Profile(
        agent_id,
        f"user{agent_id}",
        f"User {agent_id}",
        f"bio of {agent_id}",
        persona="curious",
        interests=("science", "music"),
    )


def make_observation(agent_id: int, step: int = 3) -> Observation:
    """A feed of an original (flagged, with a comment), a repost of it and a quote (liked), with
    followers, a notification and a group message."""
    comment = CommentView(70, 4, "so true", likes=2)
    posts = (
        PostView(11, 2, "user2", "the sky is green", 1, likes=5, comments=(comment,), flagged=True),
        PostView(12, 3, "user3", "the sky is green", 2, shares=1, original_post_id=11),
        PostView(
            13,
            5,
            "user5",
            "my take",
            2,
            likes=3,
            original_post_id=10,
            quoted_content="original text",
            original_author_id=6,
            original_author_name="user6",
            liked=True,
        ),
    )
    return Observation(
        agent_id,
        step,
        "day 1, 09:00",
        feed=posts,
        followers=7,
        following=3,
        notifications=("user 9 liked your post 4",),
        group_messages=("group 1, user 2: hello",),
    )


def make_context(agent_id: int, step: int = 3) -> AgentContext:
    """What LLM agent ``agent_id`` is shown at ``step``: its profile, a memory and a feed."""
    memory = AgentMemory((MemoryEntry(step - 1, "like_post(post_id=4)", "ok"),), "step 2: 1 post")
    return AgentContext(make_profile(agent_id), memory, make_observation(agent_id, step))


def make_batch(agent_ids: list[int], seed: int = 0) -> HeuristicBatch:
    """What heuristic agents ``agent_ids`` are shown: feeds of 0 to 4 posts per agent."""
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
