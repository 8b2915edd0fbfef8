"""The per-agent answer schema: ids limited to what the agent was shown, texts bounded."""

from __future__ import annotations

import json
import re

import jsonschema
import numpy as np
import pytest

from oasis.agents.llm.action_parser import parse_actions
from oasis.agents.llm.action_schema import TextLimits, action_list_schema, action_tools
from oasis.agents.llm.prompts import render_observation
from oasis.agents.llm.shown_ids import ID_KINDS, ShownIds, shown_ids
from oasis.agents.observation import UserSuggestion
from oasis.agents.observation_builder import (
    MAX_RESULT_LINES,
    build_observation,
    listed_ids,
    result_lines,
)
from oasis.core.actions import ACTION_SPECS, ActionType
from oasis.testing.schema_sample import sample
from tests.factories import make_observation

from .conftest import ALLOWED

EVERY = tuple(a for a in ActionType if a is not ActionType.INTERVIEW)
POSTS = {"posts": [{"post_id": 40 + i, "user_id": 8, "content": "z"} for i in range(9)]}
USERS = {"users": [{"user_id": 9, "user_name": "ann", "bio": "", "num_followers": 3}]}


def observed(agent_id=1):
    feed = make_observation(agent_id).feed
    reads = [("search_posts", {"query": "z"}, POSTS), ("search_user", {"query": "a"}, USERS)]
    messages = [{"group_id": 5, "sender_id": 7, "content": "hi"}]
    who = (UserSuggestion(20, "user20", 4, "popular"), UserSuggestion(agent_id, "me", 1, "x"))
    return build_observation(agent_id, 3, "day 1", feed, (1, 1), {}, messages, reads, who)


def test_the_ids_shown_are_those_the_prompt_names():
    ids = shown_ids(observed())
    # feed: posts 11, 12 (repost of 11), 13 (quote of 10); authors 2, 3, 5, 6; comment 70 by 4
    assert ids.posts == (10, 11, 12, 13, 40, 41, 42, 43, 44)
    assert ids.users == (2, 3, 4, 5, 6, 7, 8, 9, 20)  # never the agent itself (user 1)
    assert ids.comments == (70,) and ids.groups == (5,)


def test_listed_ids_are_those_within_the_shown_result_lines():
    reads = [("search_posts", {"query": "z"}, POSTS)] * 5
    lines = result_lines(reads)
    assert len(lines) == MAX_RESULT_LINES
    shown = {int(p) for p in re.findall(r"post (\d+)", "\n".join(lines))}
    assert {i for kind, i in listed_ids(reads) if kind == "post"} == shown


def test_every_id_in_the_schema_is_named_in_the_prompt():
    obs = observed()
    prompt = render_observation(obs)
    ids = shown_ids(obs)
    for value in ids.posts:
        assert re.search(rf"post {value}\b", prompt)
    for value in ids.users:
        assert re.search(rf"user {value}\b", prompt)


@pytest.mark.parametrize("seed", range(30))
def test_a_per_agent_schema_names_only_shown_ids_and_parses(seed):
    ids = shown_ids(observed())
    schema = action_list_schema(EVERY, 3, TextLimits(30, 10), ids)
    jsonschema.Draft202012Validator.check_schema(schema)
    answer = sample(schema, np.random.default_rng(seed))
    jsonschema.validate(answer, schema)
    actions, reason = parse_actions(1, json.dumps(answer), EVERY, 3)
    assert reason is None
    for action in actions:
        for name, value in action.args.items():
            if name in ID_KINDS:
                assert value in ids.of(name)


def test_an_action_on_ids_of_a_kind_never_shown_is_left_out():
    ids = ShownIds(posts=(3,), users=(4,))
    schema = action_list_schema(EVERY, 3, ids=ids)
    offered = {
        b["properties"]["action"]["enum"][0]
        for b in schema["properties"]["actions"]["items"]["anyOf"]
    }
    assert "like_post" in offered and "follow" in offered
    assert not offered & {"like_comment", "join_group", "send_to_group"}
    nothing = action_list_schema([ActionType.LIKE_COMMENT], 3, ids=ids)
    assert nothing == action_list_schema([ActionType.LIKE_COMMENT], 3)


def test_every_text_has_a_max_length_from_the_limits():
    schema = action_list_schema(EVERY, 3, TextLimits(text=123, name=7))
    for branch in schema["properties"]["actions"]["items"]["anyOf"]:
        action = ActionType(branch["properties"]["action"]["enum"][0])
        props = branch["properties"]["args"]["properties"]
        for spec in ACTION_SPECS[action]:
            if spec.type is str and spec.name in props:
                limit = 7 if spec.name in {"user_name", "name", "query", "group_name",
                                           "product_name"} else 123  # fmt: skip
                assert props[spec.name]["maxLength"] == limit
    tools = action_tools(ALLOWED, TextLimits(text=9))
    post = next(t for t in tools if t["function"]["name"] == "create_post")
    assert post["function"]["parameters"]["properties"]["content"]["maxLength"] == 9


def test_without_constrained_ids_every_agent_gets_the_same_schema():
    from oasis.agents.llm.policy import LLMPolicy

    loose = LLMPolicy(None, "twitter", ALLOWED, constrain_ids=False)  # type: ignore[arg-type]
    tight = LLMPolicy(None, "twitter", ALLOWED)  # type: ignore[arg-type]
    one, two = observed(1), observed(2)
    assert loose.response_format_for(one) == loose.response_format_for(two)
    assert tight.response_format_for(one) != loose.response_format_for(one)
    assert loose.response_format_for(one) == {
        "type": "json_schema",
        "json_schema": {"name": "actions", "strict": True,
                        "schema": action_list_schema(ALLOWED, 3, TextLimits())},
    }  # fmt: skip
