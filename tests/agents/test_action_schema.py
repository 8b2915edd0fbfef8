from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oasis.agents.llm.action_parser import parse_actions
from oasis.agents.llm.action_schema import (
    action_list_schema,
    action_tools,
    args_schema,
    model_args,
    response_format,
)
from oasis.core.actions import ACTION_SPECS, ActionType, validate_args
from oasis.testing.schema_sample import sample

from .conftest import ALLOWED


def test_schema_has_one_branch_per_allowed_action_and_bounds():
    schema = action_list_schema(ALLOWED, 4)
    actions = schema["properties"]["actions"]
    names = [b["properties"]["action"]["enum"] for b in actions["items"]["anyOf"]]
    assert names == [[a.value] for a in ALLOWED]
    assert (actions["minItems"], actions["maxItems"]) == (1, 4)
    assert schema["required"] == ["actions"]


@pytest.mark.parametrize("action", list(ActionType))
def test_args_schema_follows_action_specs(action):
    schema = args_schema(action)
    visible = [
        s
        for s in ACTION_SPECS[action]
        if (action, s.name)
        not in {(ActionType.DO_NOTHING, "raw"), (ActionType.INTERVIEW, "response")}
    ]
    assert list(schema["properties"]) == [s.name for s in visible]
    assert schema["required"] == [s.name for s in visible]
    assert schema["additionalProperties"] is False
    types = {int: "integer", str: "string", float: "number"}
    assert all(schema["properties"][s.name]["type"] == types[s.type] for s in visible)


def test_do_nothing_raw_is_not_asked_of_the_model():
    assert args_schema(ActionType.DO_NOTHING)["properties"] == {}


@pytest.mark.parametrize("seed", range(40))
def test_every_schema_instance_parses_into_valid_actions(seed):
    schema = action_list_schema(ALLOWED, 3)
    text = json.dumps(sample(schema, np.random.default_rng(seed)))
    actions, reason = parse_actions(1, text, ALLOWED, 3)
    assert reason is None
    assert 1 <= len(actions) <= 3
    assert all(a.type in ALLOWED and validate_args(a.type, a.args) is None for a in actions)


def test_response_format_is_the_openai_json_schema_shape():
    fmt = response_format(ALLOWED, 2)
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "actions"
    assert fmt["json_schema"]["schema"] == action_list_schema(ALLOWED, 2)
    json.dumps(fmt)


def test_tools_one_function_per_action():
    tools = action_tools(ALLOWED)
    assert [t["function"]["name"] for t in tools] == [a.value for a in ALLOWED]
    assert all(t["type"] == "function" and t["function"]["description"] for t in tools)
    assert tools[1]["function"]["parameters"] == args_schema(ActionType.LIKE_POST)


jsonschema = pytest.importorskip("jsonschema")


def test_schema_is_valid_json_schema_and_samples_conform():
    schema = action_list_schema(ALLOWED, 3)
    jsonschema.Draft202012Validator.check_schema(schema)
    for seed in range(20):
        jsonschema.validate(sample(schema, np.random.default_rng(seed)), schema)


def action_item(action):
    # Every arg drawn as int or text, so about half the items break the schema.
    args = {spec.name: st.integers() | st.text(max_size=5) for spec in model_args(action)}
    return st.fixed_dictionaries(
        {"action": st.just(action.value), "args": st.fixed_dictionaries(args)}
    )


@given(st.lists(st.sampled_from(ALLOWED).flatmap(action_item), max_size=4))
def test_what_the_schema_accepts_the_parser_accepts_unchanged(items):
    schema = action_list_schema(ALLOWED, 3)
    answer = {"actions": items}
    if not jsonschema.Draft202012Validator(schema).is_valid(answer):
        return
    actions, reason = parse_actions(1, json.dumps(answer), ALLOWED, 3)
    assert reason is None
    assert [(a.type.value, dict(a.args)) for a in actions] == [
        (i["action"], i["args"]) for i in items
    ]
