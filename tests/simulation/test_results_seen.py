"""What an agent searched for comes back to it: hits of step t in its prompt and memory at t+1."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from oasis.agents.memory import describe_outcome
from oasis.agents.observation_builder import MAX_RESULT_LINES, render_hits, result_lines
from oasis.core.actions import ActionResult
from oasis.loop.simulation import Simulation
from oasis.testing.replies import Reply, Responder
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import experiment, scripted_llm

_STEP = re.compile(r"\(step (\d+)\)")


def searching_reply(request: Mapping[str, Any]) -> Reply:
    """At step 1 search for 'zebra' and ask for the trend; else do nothing."""
    prompt = request["messages"][-1]["content"]
    step = int(_STEP.search(prompt).group(1))  # type: ignore[union-attr]
    actions: list[dict[str, Any]] = [{"action": "do_nothing", "args": {}}]
    if step == 1:
        actions = [
            {"action": "search_posts", "args": {"query": "zebra"}},
            {"action": "trend", "args": {}},
        ]
    return Reply(text=json.dumps({"actions": actions}))


def run_prompts(
    reply: Responder,
    tmp_path: Path,
    name: str,
    events: list[dict[str, Any]],
    llm: Mapping[str, Any] | None = None,
    **keys: Any,
) -> list[str]:
    """The prompts of a 3-step run of 8 users, all active, with ``events``, on a scripted LLM
    answering ``reply``; ``llm``: more keys of its section, ``keys``: the experiment's."""
    with ScriptedLLMServer(reply) as server:
        config = experiment(
            tmp_path, name, steps=3, population={"source": "synthetic", "n_users": 8},
            activation={"kind": "uniform", "views_per_hour": 1.0},
            llm=scripted_llm(server, **(llm or {})), events=events, **keys,
        )  # fmt: skip
        with Simulation.open(config) as simulation:
            simulation.run()
        return [b["messages"][-1]["content"] for b in server.log.bodies]


def test_hits_are_rendered_bounded() -> None:
    posts = {"posts": [{"post_id": i, "user_id": 2, "content": "z" * 300} for i in range(9)]}
    lines = render_hits("search_posts", {"query": "z"}, posts)
    assert lines[0] == "search_posts 'z': 9 hit(s)" and len(lines) == 6
    assert lines[1].startswith("  * post 0 by user 2: zzz") and len(lines[1]) <= 104
    users = {"users": [{"user_id": 4, "user_name": "ann", "bio": "", "num_followers": 3}]}
    assert render_hits("search_user", {"query": "a"}, users)[1] == ("  * user 4 @ann (3 followers)")
    group = {"messages": [{"message_id": 1, "group_id": 2, "sender_id": 5, "content": "hi"}]}
    assert render_hits("listen_from_group", {}, group)[1] == "  * [group 2] user 5: hi"
    many = [("search_posts", {"query": "z"}, posts)] * 5
    assert len(result_lines(many)) == MAX_RESULT_LINES
    assert result_lines(many)[-1] == "(19 more result line(s) cut to keep this list short)"
    assert result_lines(many[:2]) == (*lines, *lines)  # what fits is shown whole, no note
    assert describe_outcome(ActionResult(True, data=posts)) == (
        "ok: 9 hit(s): post 0, post 1, post 2, …"
    )
    assert describe_outcome(ActionResult(True, data={"posts": []})) == "ok: 0 hit(s)"
    assert describe_outcome(ActionResult(False, "post_not_found")) == "post_not_found"


def test_results_over_the_cap_keep_every_read_and_say_they_were_cut() -> None:
    posts = {"posts": [{"post_id": i, "user_id": 2, "content": f"p{i}"} for i in range(5)]}
    trend = {"posts": [{"post_id": 10 + i, "user_id": 3, "content": f"t{i}"} for i in range(5)]}
    reads = [("search_posts", {"query": q}, posts) for q in "abc"] + [("trend", {}, trend)]
    lines = result_lines(reads)  # 4 reads of 6 lines: 24 lines for 12
    assert len(lines) == MAX_RESULT_LINES
    assert [line for line in lines if not line.startswith("  * ")][:4] == [
        "search_posts 'a': 5 hit(s)", "search_posts 'b': 5 hit(s)",
        "search_posts 'c': 5 hit(s)", "trend: 5 hit(s)",
    ]  # fmt: skip
    assert lines[lines.index("trend: 5 hit(s)") + 1] == "  * post 10 by user 3: t0"
    assert lines[-1] == "(13 more result line(s) cut to keep this list short)"


def many_searches_reply(request: Mapping[str, Any]) -> Reply:
    """At step 1 three searches and the trend, more hits than the prompt's list holds."""
    prompt = request["messages"][-1]["content"]
    step = int(_STEP.search(prompt).group(1))  # type: ignore[union-attr]
    actions: list[dict[str, Any]] = [{"action": "do_nothing", "args": {}}]
    if step == 1:
        actions = [
            *({"action": "search_posts", "args": {"query": q}} for q in ("zebra", "lion", "a")),
            {"action": "trend", "args": {}},
        ]
    return Reply(text=json.dumps({"actions": actions}))


def test_a_cut_list_of_results_says_so_and_keeps_the_trend_in_the_prompt(tmp_path) -> None:
    posts = [
        {"step": 0, "kind": "post", "user_id": u, "content": f"a zebra and a lion, take {u}"}
        for u in range(6)
    ]
    prompts = run_prompts(many_searches_reply, tmp_path, "cut", posts, llm={"max_actions": 4})
    later = [p for p in prompts if "(step 2)" in p]
    assert later
    for prompt in later:
        listed = prompt.split("Search results:\n", 1)[1].split("\n\n", 1)[0].splitlines()
        assert len(listed) == MAX_RESULT_LINES
        heads = [line for line in listed if not line.startswith("  * ")]
        assert [h.split(":")[0] for h in heads[:4]] == [
            "- search_posts 'zebra'", "- search_posts 'lion'", "- search_posts 'a'", "- trend",
        ], listed  # fmt: skip
        assert listed[listed.index(heads[3]) + 1].startswith("  * post"), listed
        cut = r"- \(\d+ more result line\(s\) cut to keep this list short\)"
        assert re.fullmatch(cut, listed[-1]), listed


@pytest.mark.parametrize("kind", ["twitter", "reddit"])
def test_search_hits_reach_the_next_prompt_and_memory(tmp_path, kind: str) -> None:
    post = {"step": 0, "kind": "post", "user_id": 0, "content": "a zebra crossing"}
    prompts = run_prompts(
        searching_reply, tmp_path, kind, [post], platform={"kind": kind},
        recsys={"kind": "twitter" if kind == "twitter" else "reddit", "k": 5},
    )  # fmt: skip
    later = [p for p in prompts if "(step 2)" in p]
    assert len(later) == 8
    for prompt in later:
        assert "Search results:\n- search_posts 'zebra': 1 hit(s)\n  * post" in prompt
        assert re.search(r"  \* post \d+ by user 0: a zebra crossing", prompt)
        assert "- trend: 1 hit(s)" in prompt
        assert re.search(r"search_posts\(query='zebra'\) -> ok: 1 hit\(s\): post \d+", prompt)
    assert not any("Search results" in p for p in prompts if "(step 2)" not in p)
