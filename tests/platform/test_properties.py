"""Property tests: counters always equal a recount; the same batches give the same database."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oasis.core.actions import Action
from oasis.core.actions import ActionType as T
from oasis.platform import Platform
from tests.conftest import postgres_schema
from tests.platform.conftest import signups

AGENTS = st.integers(1, 5)
POSTS = st.integers(1, 8)
COMMENTS = st.integers(1, 6)
GROUPS = st.integers(1, 3)
TEXT = st.sampled_from(["a", "b c", "cats", ""])

ACTION = st.one_of(
    st.builds(lambda a, c: Action(a, T.CREATE_POST, {"content": c}), AGENTS, TEXT),
    *[
        st.builds(lambda a, p, k=kind: Action(a, k, {"post_id": p}), AGENTS, POSTS)
        for kind in (T.REPOST, T.LIKE_POST, T.UNLIKE_POST, T.DISLIKE_POST, T.UNDO_DISLIKE_POST)
    ],
    st.builds(
        lambda a, p, c: Action(a, T.QUOTE_POST, {"post_id": p, "quote_content": c}),
        AGENTS,
        POSTS,
        TEXT,
    ),
    st.builds(
        lambda a, p, c: Action(a, T.CREATE_COMMENT, {"post_id": p, "content": c}),
        AGENTS,
        POSTS,
        TEXT,
    ),
    *[
        st.builds(lambda a, c, k=kind: Action(a, k, {"comment_id": c}), AGENTS, COMMENTS)
        for kind in (T.LIKE_COMMENT, T.UNLIKE_COMMENT, T.DISLIKE_COMMENT, T.UNDO_DISLIKE_COMMENT)
    ],
    *[
        st.builds(lambda a, u, k=kind: Action(a, k, {"followee_id": u}), AGENTS, st.integers(0, 6))
        for kind in (T.FOLLOW, T.UNFOLLOW)
    ],
    st.builds(lambda a, u: Action(a, T.MUTE, {"mutee_id": u}), AGENTS, st.integers(0, 6)),
    st.builds(
        lambda a, p: Action(a, T.REPORT_POST, {"post_id": p, "report_reason": "x"}), AGENTS, POSTS
    ),
    st.builds(lambda a: Action(a, T.CREATE_GROUP, {"group_name": "g"}), AGENTS),
    *[
        st.builds(lambda a, g, k=kind: Action(a, k, {"group_id": g}), AGENTS, GROUPS)
        for kind in (T.JOIN_GROUP, T.LEAVE_GROUP)
    ],
    st.builds(
        lambda a, g: Action(a, T.SEND_TO_GROUP, {"group_id": g, "message": "m"}), AGENTS, GROUPS
    ),
    st.builds(lambda a: Action(a, T.LIKE_POST, {"post_id": "x"}), AGENTS),
)
BATCHES = st.lists(st.lists(ACTION, max_size=12), min_size=1, max_size=5)


@contextmanager
def sqlite_db():
    with TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'p.db'}"


def run(url: str, batches: list[list[Action]]) -> dict:
    platform = Platform.open(url)
    try:
        platform.apply(0, signups(1, 2, 3, 4, 5))
        for step, batch in enumerate(batches, start=1):
            platform.apply(step, batch)
            assert platform.counter_mismatches() == []
        return platform.dump()
    finally:
        platform.close()


def check(database, batches):
    with database() as first, database() as second:
        assert run(first, batches) == run(second, batches)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BATCHES)
def test_counters_and_determinism_sqlite(batches):
    check(sqlite_db, batches)


@pytest.mark.postgres
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BATCHES)
def test_counters_and_determinism_postgres(batches):
    check(postgres_schema, batches)
