"""Compact records: contexts and actions round-trip through Arrow; batches split by rows."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from oasis.agents.observation import CommentView, Observation, PostView, UserSuggestion
from oasis.agents.shards.arrow_records import (
    actions_from_arrow,
    actions_to_arrow,
    contexts_from_arrow,
    contexts_to_arrow,
    observation_from_dict,
    observation_to_dict,
    take_agents,
)
from oasis.core.actions import Action, ActionType
from tests.factories import make_batch, make_context

texts = st.text(max_size=20)
comments = st.builds(CommentView, st.integers(0, 99), st.integers(0, 99), texts)
posts = st.builds(
    PostView,
    st.integers(0, 999),
    st.integers(0, 99),
    texts,
    texts,
    st.integers(0, 9),
    original_post_id=st.none() | st.integers(0, 999),
    quoted_content=st.none() | texts,
    comments=st.lists(comments, max_size=2).map(tuple),
    flagged=st.booleans(),
)
observations = st.builds(
    Observation,
    st.integers(0, 999),
    st.integers(0, 99),
    texts,
    feed=st.lists(posts, max_size=3).map(tuple),
    notifications=st.lists(texts, max_size=2).map(tuple),
    group_messages=st.lists(texts, max_size=2).map(tuple),
    search_results=st.lists(texts, max_size=2).map(tuple),
    who_to_follow=st.lists(
        st.builds(UserSuggestion, st.integers(0, 99), texts, st.integers(0, 999), texts),
        max_size=3,
    ).map(tuple),
)


@given(observations)
def test_observation_round_trips(observation: Observation) -> None:
    assert observation_from_dict(observation_to_dict(observation)) == observation


def test_contexts_round_trip_in_order() -> None:
    contexts = [make_context(i) for i in (7, 2, 9)]
    table = contexts_to_arrow(contexts)
    assert table.num_rows == 3
    assert contexts_from_arrow(table) == contexts


def test_empty_contexts_make_an_empty_table() -> None:
    assert contexts_from_arrow(contexts_to_arrow([])) == []


def test_actions_come_back_per_agent_in_the_asked_order() -> None:
    like = Action(5, ActionType.LIKE_POST, {"post_id": 3})
    decisions = [
        [like, Action(5, ActionType.FOLLOW, {"followee_id": 2})],
        [Action(1, ActionType.CREATE_POST, {"content": "é ü"})],
        [Action(3, ActionType.DO_NOTHING)],
    ]
    table = actions_to_arrow(decisions)
    assert table.num_rows == 4
    reordered = pa.Table.from_batches(table.to_batches()).take([3, 2, 1, 0])
    assert actions_from_arrow(reordered, [5, 1, 3]) == decisions
    assert actions_from_arrow(table, [3, 5, 1]) == [decisions[2], decisions[0], decisions[1]]


def test_why_an_answer_did_not_parse_crosses_to_the_driver() -> None:
    unparsed = Action(4, ActionType.DO_NOTHING, {"raw": "{not json"}, invalid="bad_json")
    back = actions_from_arrow(actions_to_arrow([[unparsed]]), [4])
    assert back == [[unparsed]] and back[0][0].invalid == "bad_json"


def test_take_agents_keeps_each_agents_feed() -> None:
    batch = make_batch([4, 8, 15, 16, 23, 42], seed=3)
    rows = np.array([5, 0, 3])
    part = take_agents(batch, rows)
    assert part.agent_ids.tolist() == [42, 4, 16]
    assert part.topics == ["topic 42", "topic 4", "topic 16"]
    for i, row in enumerate(rows):
        whole = slice(batch.indptr[row], batch.indptr[row + 1])
        mine = slice(part.indptr[i], part.indptr[i + 1])
        for column in (
            "post_ids",
            "author_ids",
            "similarity",
            "popularity",
            "comment_ids",
            "comment_scores",
        ):
            assert getattr(part, column)[mine].tolist() == getattr(batch, column)[whole].tolist()


def test_take_agents_keeps_each_agents_who_to_follow_list() -> None:
    batch = replace(
        make_batch([4, 8, 15, 16]),
        suggest_indptr=np.array([0, 2, 2, 5, 6]),
        suggested=np.array([1, 2, 3, 4, 5, 6]),
    )
    part = take_agents(batch, np.array([2, 1, 0]))
    assert part.suggest_indptr is not None and part.suggested is not None
    assert part.suggest_indptr.tolist() == [0, 3, 3, 5]
    assert part.suggested.tolist() == [3, 4, 5, 1, 2]
    assert take_agents(make_batch([4, 8]), np.array([1])).suggested is None


def test_take_no_agents() -> None:
    part = take_agents(make_batch([1, 2]), np.array([], np.int64))
    assert len(part.agent_ids) == 0
    assert part.indptr.tolist() == [0]
