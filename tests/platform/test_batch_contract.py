"""The batch contract of ``Platform.apply``: canonical order, one transaction, failures as data."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from oasis.core.actions import Action
from oasis.core.actions import ActionType as T
from oasis.platform import FeedRecord, Platform, PlatformError


def test_bad_actions_fail_alone_and_the_good_ones_commit(world):
    post = world.post(1)
    batch = [
        Action(2, T.LIKE_POST, {"post_id": post}),
        Action(3, T.LIKE_POST, {"post_id": 12345}),
        Action(3, T.LIKE_POST, {}),
        Action(3, T.LIKE_POST, {"post_id": "1"}),
        Action(3, T.LIKE_POST, {"post_id": True}),
        Action(3, T.FOLLOW, {"followee_id": 1, "extra": 2}),
        Action(3, "fly_away", {}),  # type: ignore[arg-type]
        Action(4, T.CREATE_COMMENT, {"post_id": post, "content": "good"}),
        Action(4, T.REPOST, {"post_id": post}),
    ]
    results = world.act(*batch)
    assert [r.reason for r in results] == [
        None,
        "post_not_found",
        "malformed_args: missing post_id",
        "malformed_args: post_id must be int",
        "malformed_args: post_id must be int",
        "malformed_args: unexpected extra",
        "unknown_action: 'fly_away'",
        None,
        None,
    ]
    traces = [t for t in world.table("trace") if t[1] == world.step]
    assert len(traces) == len(batch)
    assert sum(1 for t in traces if t[5]) == 3
    assert len(world.table("comment")) == 1


def test_results_come_back_in_the_callers_order(world):
    results = world.act(
        Action(4, T.CREATE_POST, {"content": "d"}),
        Action(2, T.CREATE_POST, {"content": "b"}),
        Action(4, T.CREATE_POST, {"content": "e"}),
        Action(1, T.CREATE_POST, {"content": "a"}),
    )
    assert [r.data["post_id"] for r in results] == [3, 2, 4, 1]


def test_step_is_recorded_and_cannot_be_committed_twice(db_url):
    platform = Platform.open(db_url)
    platform.start_run(seed=7, config={"steps": 3})
    platform.apply(0, [Action(1, T.SIGN_UP, {"user_name": "a", "name": "A"})])
    assert platform.run_info().last_step == 0
    with pytest.raises(PlatformError, match="already committed"):
        platform.apply(0, [Action(2, T.SIGN_UP, {"user_name": "b", "name": "B"})])
    assert len(platform.dump()["user"]) == 1
    platform.close()


def test_a_database_fault_rolls_back_the_whole_step(sqlite_url):
    platform = Platform.open(sqlite_url)
    platform.start_run(seed=1, config={})
    platform.apply(0, [Action(1, T.SIGN_UP, {"user_name": "a", "name": "A"})])
    platform.apply(1, [Action(1, T.CREATE_GROUP, {"group_name": "g"})])
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        raw.execute("DROP TABLE group_message")
    with pytest.raises(PlatformError, match="rolled back"):
        platform.apply(
            2,
            [
                Action(1, T.CREATE_POST, {"content": "lost with its step"}),
                Action(1, T.SEND_TO_GROUP, {"group_id": 1, "message": "boom"}),
            ],
        )
    with platform.reader() as reader:
        assert len(reader.post_table()["post_id"]) == 0
    assert platform.run_info().last_step == 1
    platform.close()


def test_memories_are_saved_with_the_step(db_url):
    platform = Platform.open(db_url)
    sign_up = [Action(1, T.SIGN_UP, {"user_name": "a", "name": "A"})]
    with platform.step(0) as tx:
        results = tx.apply(sign_up)
        tx.save_memories({1: {"ok": [r.ok for r in results]}})
    with platform.reader() as reader:
        assert reader.memories([1, 2]) == {1: {"ok": [True]}}
    with platform.step(1) as tx:
        tx.apply([])
        tx.save_memories({1: {"ok": [], "m": 2}})
    with platform.reader() as reader:
        assert reader.memories([1, 2]) == {1: {"ok": [], "m": 2}}
    platform.close()


def test_feeds_are_logged_with_the_step(db_url):
    platform = Platform.open(db_url)
    feeds = FeedRecord(np.array([3, 5]), np.array([0, 2, 3]), np.array([10, 11, 12]))
    platform.apply(0, [], feeds=feeds)
    with platform.reader() as reader:
        stored = reader.feeds(0)
        assert reader.feeds(1) is None
    assert [a.tolist() for a in stored] == [[3, 5], [0, 2, 3], [10, 11, 12]]
    platform.close()


def test_votes_and_reposts_through_a_post_made_in_the_same_step_see_stored_state(world):
    root = world.post(3)
    world.act(
        Action(4, T.LIKE_POST, {"post_id": root}),
        Action(4, T.REPOST, {"post_id": root}),
        Action(4, T.REPORT_POST, {"post_id": root, "report_reason": "x"}),
    )
    # Agent 1 reposts first (canonical order), making a post no one could refer to before;
    # agent 4 then acts on it, and so on a root whose stored votes were not loaded up front.
    new_post = root + 2
    results = world.act(
        Action(1, T.REPOST, {"post_id": root}),
        Action(4, T.LIKE_POST, {"post_id": new_post}),
        Action(4, T.REPOST, {"post_id": new_post}),
        Action(4, T.REPORT_POST, {"post_id": new_post, "report_reason": "x"}),
        Action(4, T.UNLIKE_POST, {"post_id": new_post}),
    )
    assert results[0].data["post_id"] == new_post
    assert [r.reason for r in results[1:]] == ["duplicate", "duplicate", "duplicate", None]


def test_the_garbage_collector_runs_again_after_a_step_even_a_failed_one(sqlite_url):
    import gc

    platform = Platform.open(sqlite_url)
    platform.apply(0, [Action(1, T.SIGN_UP, {"user_name": "a", "name": "A"})])
    assert gc.isenabled()
    with pytest.raises(PlatformError):
        platform.apply(0, [])
    assert gc.isenabled()
    platform.close()
