"""Which agents an LLM plays (share, id list, core), as the run and ``oasis plan`` count them,
and the model each endpoint must serve (``OASIS_LLM_MODEL``, checked at start)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oasis.agents.policy_assignment import core_agents, select_agents
from oasis.config import load_config
from oasis.datasets.population import Population
from oasis.datasets.source import build_population
from oasis.errors import OasisError
from oasis.loop.roster import llm_mask
from oasis.loop.simulation import Simulation
from oasis.planning.capacity import plan
from oasis.planning.inputs import plan_inputs
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import experiment

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_core_by_follower_count_where_the_seed_marks_none() -> None:
    ids = np.arange(6, dtype=np.int64)
    follows = np.array([[0, 3], [1, 3], [2, 3], [0, 5], [1, 5], [4, 1]], np.int64)
    assert core_agents(ids, follows, None, share=0.34).tolist() == [3, 5]
    assert core_agents(ids, follows, np.array([4, 0]), share=0.34).tolist() == [0, 4]


def test_select_agents_by_list_core_and_share() -> None:
    ids = np.arange(1000, dtype=np.int64)
    assert select_agents(ids, (3, 7), 0.0, seed=1).nonzero()[0].tolist() == [3, 7]
    core = np.array([10, 11], np.int64)
    assert select_agents(ids, "core", 0.0, seed=1, core=core).nonzero()[0].tolist() == [10, 11]
    drawn = select_agents(ids, (), 0.1, seed=1)
    assert 60 < drawn.sum() < 140
    assert np.array_equal(drawn, select_agents(ids, (), 0.1, seed=1))


def test_llm_agents_core_are_a_synthetic_populations_real_users(tmp_path: Path) -> None:
    config = experiment(
        tmp_path, "core", population={"source": "synthetic", "n_users": 300, "core_size": 20},
        llm={"endpoints": ["http://127.0.0.1:9/v1"]},
        policy={"llm_share": 0.0, "llm_agents": "core"},
    )  # fmt: skip
    population = build_population(config.population, config.seed)
    assert llm_mask(config, population).nonzero()[0].tolist() == list(range(20))
    no_endpoints = config.model_copy(
        update={"llm": config.llm.model_copy(update={"endpoints": ()})}
    )
    assert not llm_mask(no_endpoints, population).any()
    assert llm_mask(no_endpoints, population, without_endpoints=True).sum() == 20


def test_core_of_an_unmarked_seed_is_its_most_followed(tmp_path: Path) -> None:
    users = pd.DataFrame(
        {
            "user_id": range(4), "user_name": list("abcd"), "name": list("abcd"),
            "bio": [""] * 4, "persona": [""] * 4, "interests": [[]] * 4,
        }
    )  # fmt: skip
    population = Population(users, np.array([[0, 2], [1, 2], [3, 1]], np.int64))
    config = experiment(
        tmp_path, "c", llm={"endpoints": ["http://x/v1"]},
        policy={"llm_share": 0.0, "llm_agents": "core", "core_share": 0.25},
    )  # fmt: skip
    assert llm_mask(config, population).nonzero()[0].tolist() == [2]


def test_plan_counts_million_agents_core_with_or_without_endpoints() -> None:
    config = load_config(EXAMPLES / "million_agents.yaml", environ={})
    assert config.policy.llm_agents == "core"
    population = build_population(config.population, config.seed)
    without = plan_inputs(config, population, 8, "8b", "h100")
    with_endpoints = config.model_copy(
        update={"llm": config.llm.model_copy(update={"endpoints": ("http://gpu:8000/v1",)})}
    )
    assert plan_inputs(with_endpoints, population, 8, "8b", "h100") == without
    assert population.core is not None
    assert without.n_users == population.core.size == 111
    planned = plan(without)
    assert 0 < planned.requests_per_step < 111  # was 55,939 without endpoints, 559 with them


def test_oasis_llm_model_sets_the_model(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text("name: e\nllm:\n  model: small\n")
    assert load_config(path, environ={}).llm.model == "small"
    assert load_config(path, environ={"OASIS_LLM_MODEL": "Qwen/Qwen3-8B"}).llm.model == (
        "Qwen/Qwen3-8B"
    )


def test_each_endpoint_must_serve_the_model(tmp_path: Path) -> None:
    with ScriptedLLMServer(model="llama") as other:
        config = experiment(
            tmp_path, "m", llm={"endpoints": [other.base_url], "model": "qwen"},
            policy={"llm_share": 0.5},
        )  # fmt: skip
        with pytest.raises(OasisError, match="llama"):  # the start's endpoint check (#13)
            Simulation.open(config)
