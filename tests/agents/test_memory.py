from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from oasis.agents.memory import (
    AgentMemory,
    MemoryLimits,
    describe_action,
    fit,
    memory_from_dict,
    memory_to_dict,
    remember,
    render_memory,
    summarise_observation,
)
from oasis.core.actions import Action, ActionResult, ActionType
from tests.factories import make_observation


def step(memory, step_no, actions, results, limits=None):
    return remember(
        memory, make_observation(1, step_no), actions, results, limits or MemoryLimits()
    )


def test_remember_records_actions_outcomes_and_what_was_seen():
    actions = [
        Action(1, ActionType.LIKE_POST, {"post_id": 11}),
        Action(1, ActionType.FOLLOW, {"followee_id": 1}),
    ]
    results = [ActionResult(True), ActionResult(False, "cannot_follow_self")]
    memory = step(AgentMemory(), 4, actions, results)
    assert [(e.step, e.action, e.outcome) for e in memory.entries] == [
        (4, "like_post(post_id=11)", "ok"),
        (4, "follow(followee_id=1)", "cannot_follow_self"),
    ]
    assert memory.seen.startswith("step 4: 3 posts in feed; #11 by user2")
    assert "step 4: follow(followee_id=1) -> cannot_follow_self" in render_memory(memory)


def test_only_the_last_entries_are_kept():
    memory = AgentMemory()
    for i in range(20):
        memory = step(
            memory,
            i,
            [Action(1, ActionType.LIKE_POST, {"post_id": i})],
            [ActionResult(True)],
            MemoryLimits(max_entries=4),
        )
    assert [e.step for e in memory.entries] == [16, 17, 18, 19]


def test_long_args_are_cut():
    text = describe_action(Action(1, ActionType.CREATE_POST, {"content": "y" * 500}))
    assert len(text) < 100 and text.startswith("create_post(content='yyy")


def test_summary_without_feed():
    obs = make_observation(1, 2)
    empty = type(obs)(obs.agent_id, obs.step, obs.time_label)
    assert summarise_observation(empty) == "step 2: 0 posts in feed"


def test_fit_cuts_seen_when_entries_are_gone():
    memory = fit(AgentMemory((), "z" * 500), 50)
    assert len(render_memory(memory)) == 50


@given(
    st.lists(st.lists(st.text(max_size=300), min_size=0, max_size=4), max_size=12),
    st.integers(0, 6),
    st.integers(0, 800),
)
def test_memory_stays_within_bounds_and_round_trips(steps, max_entries, max_chars):
    limits = MemoryLimits(max_entries=max_entries, max_chars=max_chars)
    memory = AgentMemory()
    for i, contents in enumerate(steps):
        actions = [Action(1, ActionType.CREATE_POST, {"content": c}) for c in contents]
        memory = step(memory, i, actions, [ActionResult(True)] * len(actions), limits)
        assert len(memory.entries) <= max_entries
        assert len(render_memory(memory)) <= max_chars
    data = json.loads(json.dumps(memory_to_dict(memory)))
    assert memory_from_dict(data) == memory


def test_from_empty_dict():
    assert memory_from_dict({}) == AgentMemory()
