"""Posts, reposts, quotes, comments, votes and reports: semantics and failure reasons."""

from __future__ import annotations

import pytest

from oasis.core.actions import Action
from oasis.core.actions import ActionType as T


def post_row(world, post_id: int) -> dict:
    with world.platform.reader() as reader:
        return reader.posts([post_id])[post_id]


def test_create_post_assigns_ids_in_canonical_order(world):
    results = world.act(
        Action(3, T.CREATE_POST, {"content": "third"}),
        Action(1, T.CREATE_POST, {"content": "first"}),
        Action(1, T.CREATE_POST, {"content": "second"}),
    )
    assert [r.data["post_id"] for r in results] == [3, 1, 2]
    assert post_row(world, 2)["content"] == "second"
    assert post_row(world, 2)["created_step"] == world.step


def test_blank_post_is_rejected(world):
    assert world.one(1, T.CREATE_POST, content="   ").reason == "empty_content"


def test_repost_of_a_repost_targets_the_root(world):
    root = world.post(1)
    first = world.one(2, T.REPOST, post_id=root).data["post_id"]
    world.one(3, T.FOLLOW, followee_id=2)
    second = world.one(3, T.REPOST, post_id=first).data["post_id"]
    row = post_row(world, second)
    assert (row["original_post_id"], row["parent_post_id"]) == (root, first)
    assert post_row(world, root)["num_shares"] == 2
    assert post_row(world, first)["num_shares"] == 0


@pytest.mark.parametrize(
    ("follows", "through_share"),
    [
        ((), False),  # a stranger's share: no followee adopted, the original is the parent
        ((2,), True),  # the followee 2 shared it before
        ((1, 2), True),  # the latest earlier adopter among the followees: 2, after the author
        ((1,), False),  # only the author adopted before among the followees
    ],
    ids=["stranger", "followee-only", "both", "author-only"],
)
def test_share_records_the_latest_earlier_followee_adoption(world, follows, through_share):
    root = world.post(1)
    share = world.one(2, T.REPOST, post_id=root).data["post_id"]
    for followee in follows:
        assert world.one(3, T.FOLLOW, followee_id=followee).ok
    reposted, quoted = world.act(
        Action(3, T.REPOST, {"post_id": share}),
        Action(4, T.QUOTE_POST, {"post_id": share, "quote_content": "hm"}),
    )
    row = post_row(world, reposted.data["post_id"])
    assert row["original_post_id"] == root
    assert row["parent_post_id"] == (share if through_share else root)
    assert post_row(world, quoted.data["post_id"])["parent_post_id"] == root  # 4 follows nobody


def test_duplicate_repost_is_rejected_even_through_another_repost(world):
    root = world.post(1)
    shared = world.one(2, T.REPOST, post_id=root).data["post_id"]
    assert world.one(2, T.REPOST, post_id=root).reason == "duplicate"
    assert world.one(3, T.REPOST, post_id=shared).ok
    assert world.one(3, T.REPOST, post_id=root).reason == "duplicate"


def test_quote_counts_as_share_and_may_repeat(world):
    root = world.post(1)
    shared = world.one(2, T.REPOST, post_id=root).data["post_id"]
    quote = world.one(3, T.QUOTE_POST, post_id=shared, quote_content="look").data["post_id"]
    assert world.one(3, T.QUOTE_POST, post_id=root, quote_content="again").ok
    row = post_row(world, quote)
    assert (row["original_post_id"], row["parent_post_id"], row["quote_content"]) == (
        root,
        root,  # user 3 follows neither the sharer nor the author: exposed to the original
        "look",
    )
    assert post_row(world, root)["num_shares"] == 3


def test_like_on_a_repost_goes_to_the_root(world):
    root = world.post(1)
    shared = world.one(2, T.REPOST, post_id=root).data["post_id"]
    assert world.one(3, T.LIKE_POST, post_id=shared).data["post_id"] == root
    assert post_row(world, root)["num_likes"] == 1
    assert world.one(3, T.LIKE_POST, post_id=root).reason == "duplicate"


@pytest.mark.parametrize(
    ("do", "undo", "counter", "missing"),
    [
        (T.LIKE_POST, T.UNLIKE_POST, "num_likes", "not_liked"),
        (T.DISLIKE_POST, T.UNDO_DISLIKE_POST, "num_dislikes", "not_disliked"),
    ],
)
def test_post_votes_and_their_undo(world, do, undo, counter, missing):
    post = world.post(1)
    assert world.one(2, undo, post_id=post).reason == missing
    assert world.one(2, do, post_id=post).ok
    assert world.one(2, do, post_id=post).reason == "duplicate"
    assert post_row(world, post)[counter] == 1
    assert world.one(2, undo, post_id=post).ok
    assert post_row(world, post)[counter] == 0
    assert world.one(2, do, post_id=99).reason == "post_not_found"


def test_like_then_unlike_in_one_step_nets_to_nothing(world):
    post = world.post(1)
    results = world.act(
        Action(2, T.LIKE_POST, {"post_id": post}),
        Action(2, T.UNLIKE_POST, {"post_id": post}),
        Action(2, T.LIKE_POST, {"post_id": post}),
        Action(3, T.LIKE_POST, {"post_id": post}),
        Action(3, T.UNLIKE_POST, {"post_id": post}),
    )
    assert all(r.ok for r in results)
    assert post_row(world, post)["num_likes"] == 1
    assert [row[:2] for row in world.table("like")] == [(2, post)]


def test_self_rating_is_allowed_by_default(world):
    assert world.one(1, T.LIKE_POST, post_id=world.post(1)).ok


def test_self_rating_switch(strict_world):
    strict_post = strict_world.post(1)
    assert strict_world.one(1, T.LIKE_POST, post_id=strict_post).reason == "self_rating"
    assert strict_world.one(1, T.DISLIKE_POST, post_id=strict_post).reason == "self_rating"
    comment = strict_world.one(1, T.CREATE_COMMENT, post_id=strict_post, content="me")
    assert (
        strict_world.one(1, T.LIKE_COMMENT, comment_id=comment.data["comment_id"]).reason
        == "self_rating"
    )


def test_comment_on_a_repost_lands_on_the_root(world):
    root = world.post(1)
    shared = world.one(2, T.REPOST, post_id=root).data["post_id"]
    result = world.one(3, T.CREATE_COMMENT, post_id=shared, content="nice")
    assert result.data["post_id"] == root
    assert [c["content"] for c in post_row(world, shared)["comments"]] == ["nice"]
    assert world.one(3, T.CREATE_COMMENT, post_id=77, content="x").reason == "post_not_found"
    assert world.one(3, T.CREATE_COMMENT, post_id=root, content=" ").reason == "empty_content"


@pytest.mark.parametrize(
    ("do", "undo", "counter", "missing"),
    [
        (T.LIKE_COMMENT, T.UNLIKE_COMMENT, "num_likes", "not_liked"),
        (T.DISLIKE_COMMENT, T.UNDO_DISLIKE_COMMENT, "num_dislikes", "not_disliked"),
    ],
)
def test_comment_votes_and_their_undo(world, do, undo, counter, missing):
    post = world.post(1)
    comment = world.one(2, T.CREATE_COMMENT, post_id=post, content="hi").data["comment_id"]
    assert world.one(3, undo, comment_id=comment).reason == missing
    assert world.one(3, do, comment_id=comment).ok
    assert world.one(3, do, comment_id=comment).reason == "duplicate"
    assert post_row(world, post)["comments"][0][counter] == 1
    assert world.one(3, undo, comment_id=comment).ok
    assert post_row(world, post)["comments"][0][counter] == 0
    assert world.one(3, do, comment_id=404).reason == "comment_not_found"


def test_comment_created_and_liked_in_the_same_step(world):
    post = world.post(1)
    results = world.act(
        Action(1, T.CREATE_COMMENT, {"post_id": post, "content": "first"}),
        Action(2, T.LIKE_COMMENT, {"comment_id": 1}),
    )
    assert all(r.ok for r in results)
    assert post_row(world, post)["comments"][0]["num_likes"] == 1


def test_top_comments_are_the_most_liked(world):
    post = world.post(1)
    for author in (1, 2, 3):
        world.one(author, T.CREATE_COMMENT, post_id=post, content=f"c{author}")
    world.act(
        Action(4, T.LIKE_COMMENT, {"comment_id": 3}), Action(1, T.LIKE_COMMENT, {"comment_id": 3})
    )
    world.act(Action(4, T.LIKE_COMMENT, {"comment_id": 2}))
    with world.platform.reader() as reader:
        comments = reader.posts([post], top_comments=2)[post]["comments"]
    assert sorted(c["comment_id"] for c in comments) == [2, 3]


def test_report_once_and_counter(strict_world):
    post = strict_world.post(1)
    assert strict_world.one(2, T.REPORT_POST, post_id=post, report_reason="spam").ok
    assert (
        strict_world.one(2, T.REPORT_POST, post_id=post, report_reason="spam").reason == "duplicate"
    )
    assert strict_world.one(3, T.REPORT_POST, post_id=post, report_reason="lies").ok
    assert (
        strict_world.one(3, T.REPORT_POST, post_id=9, report_reason="x").reason == "post_not_found"
    )
    assert post_row(strict_world, post)["num_reports"] == 2
    assert [r[-1] for r in strict_world.table("report")] == ["spam", "lies"]
