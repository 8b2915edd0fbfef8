"""Who to follow in runs: LLM agents see the list in their prompt; agents follow from it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

from oasis.platform.schema import Follow, Trace
from oasis.testing.replies import Reply, agent_id_of
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import experiment, finished_tables

_SUGGESTED = re.compile(r"^- \S+ \(user (\d+), (\d+) followers?\): (.+)$", re.MULTILINE)


def suggested_in(prompt: str) -> list[int]:
    """The user ids of the prompt's who-to-follow list, in order ([] without one)."""
    if "Who to follow:" not in prompt:
        return []
    return [int(u) for u, _, _ in _SUGGESTED.findall(prompt.split("Who to follow:", 1)[1])]


def following_reply(request: Mapping[str, Any]) -> Reply:
    """Follow the first account the list suggests; without a list, do nothing."""
    shown = suggested_in(request["messages"][-1]["content"])
    if not shown:
        return Reply(text=json.dumps({"actions": [{"action": "do_nothing", "args": {}}]}))
    follow = {"action": "follow", "args": {"followee_id": shown[0]}}
    return Reply(text=json.dumps({"actions": [follow]}))


def run(config: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    return tuple(finished_tables(config, Trace, Follow))


def run_config(tmp_path: Any, kind: str, name: str, **overrides: Any) -> Any:
    return experiment(
        tmp_path, f"{kind}-{name}", steps=3, platform={"kind": kind},
        recsys={"kind": kind, "k": 5, **overrides.pop("recsys", {})},
        activation={"kind": "uniform", "views_per_hour": 0.5}, **overrides,
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["twitter", "reddit"])
def test_the_prompt_shows_the_list_and_llm_agents_follow_from_it(tmp_path, kind: str) -> None:
    with ScriptedLLMServer(following_reply) as server:
        llm = {"endpoints": [server.base_url], "model": "scripted"}
        trace, follows = run(run_config(tmp_path, kind, "llm", llm=llm))
        bodies = list(server.log.bodies)
    lists = {}
    for body in bodies:
        prompt = body["messages"][-1]["content"]
        step = int(re.search(r"\(step (\d+)\)", prompt).group(1))  # type: ignore[union-attr]
        lists[(agent_id_of(body), step)] = suggested_in(prompt)
    assert sum(bool(shown) for shown in lists.values()) > len(lists) / 2
    assert all(1 <= len(shown) <= 3 for shown in lists.values() if shown)
    line = next(b for b in bodies if suggested_in(b["messages"][-1]["content"]))
    assert "Who to follow:\n- " in line["messages"][-1]["content"]
    for (agent, step), shown in lists.items():
        before = follows[(follows["follower_id"] == agent) & (follows["created_step"] < step)]
        assert agent not in shown and not set(shown) & set(before["followee_id"])
    made = trace[trace["action"] == "follow"]
    assert len(made) > 10 and made["ok"].all()
    for row in made.itertuples():
        assert row.args["followee_id"] == lists[(row.user_id, row.step)][0]


@pytest.mark.parametrize("kind", ["twitter", "reddit"])
def test_heuristic_agents_follow_suggested_users_and_the_list_switches_off(
    tmp_path, kind: str
) -> None:
    # Only the list makes follows here: following a liked post's author is switched off.
    rates = {"heuristic": {"follow": 0.0, "follow_suggestion": 1.0}}
    trace, _ = run(run_config(tmp_path, kind, "on", policy=rates))
    made = trace[trace["action"] == "follow"]
    assert len(made) > 20 and made["ok"].all()
    assert made.groupby(["step", "user_id"]).size().max() <= 3
    assert (made["args"].map(lambda a: a["followee_id"]) != made["user_id"]).all()
    off = {"who_to_follow": {"k": 0}}
    trace, _ = run(run_config(tmp_path, kind, "off", policy=rates, recsys=off))
    assert not (trace["action"] == "follow").any()
