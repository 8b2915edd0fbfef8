"""Quotes end to end: LLM agents quote what they see, and others see and act on the quotes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from oasis.loop.simulation import Simulation
from oasis.platform.schema import Post, Trace
from oasis.testing.replies import Reply, agent_id_of
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import experiment

_QUOTE = re.compile(
    r"^- post (\d+) by \S+ \(user \d+\), quoting post (\d+).*\n  quoted post \2: ", re.MULTILINE
)
_POST = re.compile(r"^- post (\d+) by \S+ \(user \d+\): ", re.MULTILINE)


def quoting_reply(request: Mapping[str, Any]) -> Reply:
    """Like, comment on and repost the first quote shown; else quote the first post; else post."""
    prompt = request["messages"][-1]["content"]
    agent = agent_id_of(request)
    if quote := _QUOTE.search(prompt):
        post_id = int(quote.group(1))
        actions = [
            {"action": "like_post", "args": {"post_id": post_id}},
            {"action": "create_comment", "args": {"post_id": post_id, "content": "indeed"}},
            {"action": "repost", "args": {"post_id": post_id}},
        ]
    elif post := _POST.search(prompt):
        args = {"post_id": int(post.group(1)), "quote_content": f"agent {agent} adds a view"}
        actions = [{"action": "quote_post", "args": args}]
    else:
        actions = [{"action": "create_post", "args": {"content": f"hello from agent {agent}"}}]
    return Reply(text=json.dumps({"actions": actions}))


def test_llm_agents_see_quotes_as_posts_and_act_on_the_quote(tmp_path):
    with ScriptedLLMServer(quoting_reply) as server:
        llm = {"endpoints": [server.base_url], "model": "scripted"}
        with Simulation.open(experiment(tmp_path, "quotes", llm=llm, steps=4)) as simulation:
            simulation.run()
            with simulation.platform.reader() as reader:
                trace, posts = reader.table(Trace), reader.table(Post)
            assert simulation.platform.counter_mismatches() == []
        prompts = [r["messages"][-1]["content"] for r in server.log.bodies]
    quotes = posts[posts["quote_content"].notna()].set_index("post_id")
    assert len(quotes) > 0 and (quotes["content"] == quotes["quote_content"]).all()
    assert any(_QUOTE.search(p) for p in prompts)
    done = trace[trace["ok"] & trace["action"].isin(["like_post", "create_comment", "repost"])]
    on_quotes = done[done["args"].map(lambda a: a["post_id"] in quotes.index)]
    assert set(on_quotes["action"]) == {"like_post", "create_comment", "repost"}
    # Each landed on the quote itself: likes and comments name it, reposts share it.
    for action, args, result in on_quotes[["action", "args", "result"]].itertuples(index=False):
        if action == "repost":
            shared = posts.set_index("post_id").loc[result["post_id"], "original_post_id"]
            assert shared == args["post_id"]
        else:
            assert result["post_id"] == args["post_id"]
    liked = on_quotes[on_quotes["action"] == "like_post"]["args"].map(lambda a: a["post_id"])
    assert (quotes.loc[liked.unique(), "num_likes"] > 0).all()
