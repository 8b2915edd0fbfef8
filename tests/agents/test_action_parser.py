from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from oasis.agents.llm.action_parser import parse_actions, parse_tool_calls
from oasis.agents.llm.chat import ToolCall
from oasis.core.actions import Action, ActionType, validate_args

from .conftest import ALLOWED

LIKE = {"action": "like_post", "args": {"post_id": 4}}
POST = {"action": "create_post", "args": {"content": "hello"}}


def parse(text, allowed=ALLOWED, max_actions=3):
    return parse_actions(9, text, allowed, max_actions)


def assert_raw(result, text):
    actions, reason = result
    assert actions == [Action(9, ActionType.DO_NOTHING, {"raw": text[:2000]})]
    assert reason


def test_object_form():
    actions, reason = parse(json.dumps({"actions": [LIKE, POST]}))
    assert reason is None
    assert actions == [
        Action(9, ActionType.LIKE_POST, {"post_id": 4}),
        Action(9, ActionType.CREATE_POST, {"content": "hello"}),
    ]


def test_bare_list_and_single_object():
    assert parse(json.dumps([LIKE]))[0] == [Action(9, ActionType.LIKE_POST, {"post_id": 4})]
    assert parse(json.dumps(LIKE))[0] == [Action(9, ActionType.LIKE_POST, {"post_id": 4})]


def test_code_fence_is_stripped():
    text = "```json\n" + json.dumps({"actions": [LIKE]}) + "\n```"
    assert parse(text) == ([Action(9, ActionType.LIKE_POST, {"post_id": 4})], None)


def test_quoted_ids_become_ints_but_words_do_not():
    ok = {"action": "like_post", "args": {"post_id": "12"}}
    assert parse(json.dumps([ok]))[0] == [Action(9, ActionType.LIKE_POST, {"post_id": 12})]
    bad = json.dumps([{"action": "like_post", "args": {"post_id": "twelve"}}])
    assert_raw(parse(bad), bad)


def test_missing_args_default_to_empty():
    actions, reason = parse(json.dumps([{"action": "do_nothing"}]))
    assert (actions, reason) == ([Action(9, ActionType.DO_NOTHING, {})], None)


def test_items_past_max_actions_are_dropped():
    actions, reason = parse(json.dumps([LIKE, POST, LIKE]), max_actions=2)
    assert reason is None
    assert [a.type for a in actions] == [ActionType.LIKE_POST, ActionType.CREATE_POST]


def test_empty_list_is_do_nothing():
    assert parse("[]") == ([Action(9, ActionType.DO_NOTHING, {})], None)


def test_invalid_answers_become_one_do_nothing_with_raw_text():
    cases = [
        "not json at all",
        '{"actions": [{"action": "like_post", "args": {"post_id": 4}}',  # truncated
        json.dumps([{"action": "fly_away", "args": {}}]),
        json.dumps([{"action": "trend", "args": {}}]),  # valid action, not allowed
        json.dumps([{"action": "like_post", "args": {}}]),
        json.dumps([{"action": "like_post", "args": {"post_id": True}}]),
        json.dumps([{"action": "like_post", "args": {"post_id": 1, "x": 2}}]),
        json.dumps([{"action": "like_post", "args": [1]}]),
        json.dumps([{"action": "like_post", "args": {"post_id": 1}, "why": "fun"}]),
        json.dumps([LIKE, {"args": {}}]),  # all or nothing
        json.dumps({"actions": 5}),
        "42",
        "null",
    ]
    for text in cases:
        assert_raw(parse(text), text)


def test_raw_text_is_cut():
    actions, _ = parse_actions(9, "x" * 5000, ALLOWED, 3, raw_chars=100)
    assert actions[0].args["raw"] == "x" * 100


def test_reasons_name_the_fault():
    assert parse("nope")[1].startswith("bad_json")
    assert parse(json.dumps([{"action": "trend", "args": {}}]))[1] == "action_not_allowed: trend"
    assert parse(json.dumps([{"action": "like_post", "args": {}}]))[1] == (
        "malformed_args: missing post_id"
    )


def test_tool_calls_parse_and_fail_as_a_whole():
    calls = [ToolCall("like_post", '{"post_id": 3}'), ToolCall("follow", '{"followee_id": 8}')]
    actions, reason = parse_tool_calls(9, calls, ALLOWED, 3)
    assert reason is None
    assert actions == [
        Action(9, ActionType.LIKE_POST, {"post_id": 3}),
        Action(9, ActionType.FOLLOW, {"followee_id": 8}),
    ]
    bad = [ToolCall("like_post", '{"post_id": 3}'), ToolCall("follow", "{oops")]
    actions, reason = parse_tool_calls(9, bad, ALLOWED, 3)
    assert reason and actions[0].type is ActionType.DO_NOTHING
    assert "oops" in actions[0].args["raw"]


def test_tool_call_with_empty_arguments():
    actions, reason = parse_tool_calls(9, [ToolCall("do_nothing", "")], ALLOWED, 3)
    assert (actions, reason) == ([Action(9, ActionType.DO_NOTHING, {})], None)


def assert_valid(actions, max_actions=3):
    assert 1 <= len(actions) <= max_actions
    for a in actions:
        assert a.agent_id == 9
        assert a.type in ALLOWED
        assert validate_args(a.type, a.args) is None


@given(st.text())
def test_parse_never_raises_on_any_text(text):
    assert_valid(parse(text)[0])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_parse_never_raises_on_any_json(value):
    assert_valid(parse(json.dumps(value))[0])


action_items = st.fixed_dictionaries(
    {"action": st.sampled_from([a.value for a in ActionType] + ["bogus"]), "args": json_values}
)


@given(st.lists(action_items, max_size=5))
def test_parse_never_raises_on_action_shaped_json(items):
    assert_valid(parse(json.dumps({"actions": items}))[0])


@given(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=40)), max_size=4))
def test_tool_calls_never_raise(pairs):
    actions, _ = parse_tool_calls(9, [ToolCall(n, a) for n, a in pairs], ALLOWED, 3)
    assert_valid(actions)
