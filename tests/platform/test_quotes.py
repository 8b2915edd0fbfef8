"""Quotes as posts of their own (issue #16 item 3): text, engagement, shares and reader state."""

from __future__ import annotations

import numpy as np
import pytest

from oasis.core.actions import Action
from oasis.core.actions import ActionType as T

from .test_content_actions import post_row


def quote(world, agent_id: int, post_id: int, text: str = "my take") -> int:
    result = world.one(agent_id, T.QUOTE_POST, post_id=post_id, quote_content=text)
    assert result.ok, result
    return int(result.data["post_id"])


def counters(world, post_id: int) -> tuple[int, int, int, int]:
    row = post_row(world, post_id)
    return row["num_likes"], row["num_dislikes"], row["num_shares"], row["num_reports"]


def test_a_quote_is_a_post_with_its_own_text_counted_as_a_share(world):
    root = world.post(1, "the original")
    q = quote(world, 2, root, "  my take  ")
    row = post_row(world, q)
    assert (row["content"], row["quote_content"], row["original_post_id"]) == (
        "my take",
        "my take",
        root,
    )
    assert (row["root_id"], post_row(world, root)["num_shares"]) == (q, 1)
    assert world.one(2, T.QUOTE_POST, post_id=root, quote_content=" ").reason == "empty_content"
    assert world.one(2, T.QUOTE_POST, post_id=99, quote_content="x").reason == "post_not_found"


@pytest.mark.parametrize(
    ("do", "undo", "index"),
    [(T.LIKE_POST, T.UNLIKE_POST, 0), (T.DISLIKE_POST, T.UNDO_DISLIKE_POST, 1)],
)
def test_votes_on_a_quote_land_on_the_quote(world, do, undo, index):
    root = world.post(1)
    q = quote(world, 2, root)
    assert world.one(3, do, post_id=q).data["post_id"] == q
    assert world.one(3, do, post_id=q).reason == "duplicate"
    assert world.one(3, do, post_id=root).ok  # the quoted post is another post
    assert counters(world, q)[index] == 1 and counters(world, root)[index] == 1
    assert world.one(3, undo, post_id=q).ok
    assert counters(world, q)[index] == 0 and counters(world, root)[index] == 1


def test_comments_and_reports_on_a_quote_land_on_the_quote(strict_world):
    world = strict_world
    root = world.post(1)
    q = quote(world, 2, root)
    result = world.one(3, T.CREATE_COMMENT, post_id=q, content="good point")
    assert result.data["post_id"] == q
    assert [c["content"] for c in post_row(world, q)["comments"]] == ["good point"]
    assert post_row(world, root)["comments"] == []
    assert world.one(3, T.REPORT_POST, post_id=q, report_reason="spam").data["post_id"] == q
    assert world.one(3, T.REPORT_POST, post_id=root, report_reason="spam").ok
    assert counters(world, q)[3] == 1 and counters(world, root)[3] == 1
    with world.platform.reader() as reader:
        assert reader.notifications([2], since_step=0)[2] == {"comments": 1}


def test_reposting_a_quote_shares_the_quote_once(world):
    root = world.post(1)
    q = quote(world, 2, root)
    shared = world.one(3, T.REPOST, post_id=q).data["post_id"]
    row = post_row(world, shared)
    assert (row["original_post_id"], row["parent_post_id"], row["content"]) == (q, q, "")
    assert world.one(3, T.REPOST, post_id=q).reason == "duplicate"
    assert world.one(4, T.FOLLOW, followee_id=3).ok
    again = world.one(4, T.REPOST, post_id=shared).data["post_id"]  # a repost of the repost
    assert post_row(world, again)["original_post_id"] == q
    assert world.one(4, T.REPOST, post_id=q).reason == "duplicate"
    assert world.one(3, T.REPOST, post_id=root).ok  # the root is another original
    assert world.one(3, T.LIKE_POST, post_id=shared).data["post_id"] == q
    assert counters(world, q)[:3] == (1, 0, 2)
    assert counters(world, root)[2] == 2  # the quote and 3's repost of the root


def test_quoting_a_quote_quotes_that_quote_and_quotes_may_repeat(world):
    root = world.post(1)
    q = quote(world, 2, root)
    shared = world.one(4, T.REPOST, post_id=q).data["post_id"]
    of_quote = quote(world, 3, q, "quoting a quote")
    through_repost = quote(world, 3, shared, "again")
    assert post_row(world, of_quote)["original_post_id"] == q
    assert post_row(world, through_repost)["original_post_id"] == q
    assert quote(world, 3, root, "once") and quote(world, 3, root, "twice")
    assert counters(world, q)[2] == 3 and counters(world, root)[2] == 3


def test_quote_and_its_engagement_in_one_step_keep_counters_right(world):
    root = world.post(1)
    new = root + 1  # the quote's id: ids follow canonical order
    results = world.act(
        Action(2, T.QUOTE_POST, {"post_id": root, "quote_content": "same step"}),
        Action(3, T.LIKE_POST, {"post_id": new}),
        Action(3, T.REPOST, {"post_id": new}),
        Action(3, T.REPOST, {"post_id": new}),
        Action(4, T.QUOTE_POST, {"post_id": new, "quote_content": "and another"}),
        Action(4, T.CREATE_COMMENT, {"post_id": new, "content": "hi"}),
        Action(4, T.REPOST, {"post_id": root}),
    )
    assert [r.reason for r in results] == [None, None, None, "duplicate", None, None, None]
    assert results[0].data["post_id"] == new
    assert counters(world, new)[:3] == (1, 0, 2)
    assert counters(world, root)[2] == 2
    assert world.platform.counter_mismatches() == []


def test_a_quote_entry_is_its_own_original_for_feeds_and_reader_state(world):
    root = world.post(1)
    q = quote(world, 2, root)
    repost = world.one(3, T.REPOST, post_id=root).data["post_id"]
    world.act(Action(4, T.LIKE_POST, {"post_id": q}), Action(4, T.REPOST, {"post_id": q}))
    with world.platform.reader() as reader:
        table = reader.post_table()
        roots = dict(zip(table["post_id"].tolist(), table["root_id"].tolist(), strict=True))
        assert (roots[root], roots[q], roots[repost]) == (root, q, root)
        entries = np.array([root, q], np.int64)
        state = reader.entry_state(np.array([4, 4]), entries, np.array([1, 2]), np.array([-1, -1]))
    assert state["liked"].tolist() == [False, True]
    assert state["reposted"].tolist() == [False, True]


def test_trends_list_quotes_but_not_reposts(world):
    root = world.post(1, "climate news")
    q = quote(world, 2, root, "climate is key")
    world.one(3, T.REPOST, post_id=q)
    world.act(Action(3, T.LIKE_POST, {"post_id": q}), Action(4, T.LIKE_POST, {"post_id": q}))
    trend = world.one(1, T.TREND)
    assert [p["post_id"] for p in trend.data["posts"]] == [q, root]
    found = world.one(1, T.SEARCH_POSTS, query="climate")
    assert [p["post_id"] for p in found.data["posts"]] == [q, root]
