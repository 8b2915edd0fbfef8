"""Two LLMs in one population: each group's agents reach its own server and model, and usage and
failures are counted per group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from oasis.agents.llm.groups import LLMGroupSettings, assign_llm_groups
from oasis.agents.llm.settings import LLMSettings
from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation
from oasis.platform.schema import StepMetrics
from oasis.testing.replies import Reply, agent_id_of
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import acting_reply, experiment

ALIGNED = tuple(range(20))


def failing_for_multiples_of_three(request: Mapping[str, Any]) -> Reply:
    agent = agent_id_of(request)
    return Reply(status=500) if agent is not None and agent % 3 == 0 else acting_reply(request)


def test_two_models_play_their_groups_with_usage_per_group(tmp_path) -> None:
    with (
        ScriptedLLMServer(acting_reply, model="aligned-7b") as aligned,
        ScriptedLLMServer(failing_for_multiples_of_three, model="uncensored-7b") as uncensored,
    ):
        groups = [
            {"name": "aligned", "ids": list(ALIGNED),
             "llm": {"endpoints": [aligned.base_url], "model": "aligned-7b"}},
            {"name": "uncensored", "share": 0.4,
             "llm": {"endpoints": [uncensored.base_url], "model": "uncensored-7b",
                     "max_retries": 0}},
        ]  # fmt: skip
        config = experiment(tmp_path, "two", llm_groups=groups, steps=3)
        with Simulation.open(config) as simulation:
            simulation.run()
            write_run(simulation)
            with simulation.platform.reader() as reader:
                metrics = reader.table(StepMetrics)["metrics"].tolist()
            roster = simulation.roster
            playing = roster.users.loc[roster.llm_ids, "llm_group"]
        to_aligned, to_uncensored = list(aligned.log.bodies), list(uncensored.log.bodies)
        aligned_url = aligned.base_url
    assert set(playing[playing == "aligned"].index) == set(ALIGNED)
    assert 0 < (playing == "uncensored").sum() < 30  # about 40% of the other 30 agents
    assert {b["model"] for b in to_aligned} == {"aligned-7b"}
    assert {b["model"] for b in to_uncensored} == {"uncensored-7b"}
    assert {agent_id_of(b) for b in to_aligned} <= set(ALIGNED)
    assert not {agent_id_of(b) for b in to_uncensored} & set(ALIGNED)

    def total(name: str, key: str) -> int:
        return sum(m.get("llm_groups", {}).get(name, {}).get(key, 0) for m in metrics)

    requests = {name: total(name, "requests") for name in ("aligned", "uncensored")}
    assert requests == {"aligned": len(to_aligned), "uncensored": len(to_uncensored)}
    failures = {name: total(name, "failures") for name in ("aligned", "uncensored")}
    failing = sum(agent_id_of(b) % 3 == 0 for b in to_uncensored)
    assert failures == {"aligned": 0, "uncensored": failing} and failing > 0
    assert total("aligned", "prompt_tokens") > 0 and total("uncensored", "prompt_tokens") > 0
    summary = (tmp_path / "two" / "summary.md").read_text()
    assert f"llm group aligned: model aligned-7b at {aligned_url}: 20 agents" in summary
    assert f"{failing} failed" in summary


def test_agents_are_claimed_by_ids_then_seed_group_then_share() -> None:
    llm = LLMSettings(endpoints=("http://x/v1",))
    groups = (
        LLMGroupSettings(name="listed", ids=(5, 6), llm=llm),
        LLMGroupSettings(name="camp", seed_group="progressive", llm=llm),
        LLMGroupSettings(name="some", share=0.5, llm=llm),
    )
    ids = np.arange(1000)
    camps = np.array(["conservative", "progressive"] * 500)
    claimed = assign_llm_groups(groups, 3, ids, camps)
    assert claimed[5] == claimed[6] == 0
    assert (claimed[camps == "progressive"][3:] == 1).all()
    rest = claimed[(camps == "conservative") & ~np.isin(ids, (5, 6))]
    assert 0.4 < np.mean(rest == 2) < 0.6 and set(rest) == {-1, 2}
    assert np.array_equal(assign_llm_groups(groups, 3, ids[:10], camps[:10]), claimed[:10])


def test_a_group_must_claim_agents_and_have_endpoints() -> None:
    with pytest.raises(ValidationError, match="needs ids, seed_group or share"):
        LLMGroupSettings(name="x", llm=LLMSettings(endpoints=("http://x/v1",)))
    with pytest.raises(ValidationError, match=r"needs llm\.endpoints"):
        LLMGroupSettings(name="x", share=0.1, llm=LLMSettings())
