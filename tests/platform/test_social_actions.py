"""Sign-up, follow, mute, purchases and the actions that only leave a trace."""

from __future__ import annotations

import pytest

from oasis.core.actions import Action
from oasis.core.actions import ActionType as T


def counts(world, *ids: int) -> dict:
    with world.platform.reader() as reader:
        found = reader.user_counts(list(ids))
    return {k: v.tolist() for k, v in found.items()}


def test_sign_up_rules(world):
    assert world.one(1, T.SIGN_UP, user_name="again", name="x").reason == "duplicate"
    assert world.one(9, T.SIGN_UP, user_name="user1", name="x").reason == "user_name_taken"
    assert world.one(9, T.SIGN_UP, user_name=" ", name="x").reason == "empty_content"
    results = world.act(
        Action(9, T.SIGN_UP, {"user_name": "nine", "name": "Nine"}),
        Action(10, T.SIGN_UP, {"user_name": "nine", "name": "Ten"}),
    )
    assert [r.reason for r in results] == [None, "user_name_taken"]
    with world.platform.reader() as reader:
        assert reader.profiles([9]) == {
            9: {"user_name": "nine", "name": "Nine", "bio": "", "persona": ""}
        }


def test_actions_of_an_agent_without_account_fail(world):
    assert world.one(50, T.CREATE_POST, content="hi").reason == "not_signed_up"


def test_follow_and_unfollow_move_counters(world):
    assert world.one(1, T.FOLLOW, followee_id=2).ok
    assert world.one(3, T.FOLLOW, followee_id=2).ok
    assert counts(world, 1, 2, 3) == {"followers": [0, 2, 0], "followings": [1, 0, 1]}
    assert world.one(1, T.UNFOLLOW, followee_id=2).ok
    assert counts(world, 1, 2) == {"followers": [0, 1], "followings": [0, 0]}


@pytest.mark.parametrize(
    ("kind", "target", "reason"),
    [
        (T.FOLLOW, 1, "self_follow"),
        (T.FOLLOW, 99, "user_not_found"),
        (T.UNFOLLOW, 2, "not_following"),
        (T.MUTE, 1, "self_mute"),
        (T.MUTE, 99, "user_not_found"),
        (T.UNMUTE, 2, "not_muted"),
    ],
)
def test_graph_failures(world, kind, target, reason):
    arg = "followee_id" if kind in (T.FOLLOW, T.UNFOLLOW) else "mutee_id"
    assert world.one(1, kind, **{arg: target}).reason == reason


def test_duplicate_follow_and_mute(world):
    assert world.one(1, T.FOLLOW, followee_id=2).ok
    assert world.one(1, T.FOLLOW, followee_id=2).reason == "duplicate"
    assert world.one(1, T.MUTE, mutee_id=2).ok
    assert world.one(1, T.MUTE, mutee_id=2).reason == "duplicate"
    assert world.one(1, T.UNMUTE, mutee_id=2).ok
    assert world.table("mute") == []


def test_follow_a_user_who_signs_up_in_the_same_step(world):
    results = world.act(
        Action(1, T.FOLLOW, {"followee_id": 7}),
        Action(7, T.SIGN_UP, {"user_name": "seven", "name": "Seven"}),
        Action(8, T.SIGN_UP, {"user_name": "eight", "name": "Eight"}),
        Action(8, T.FOLLOW, {"followee_id": 7}),
    )
    assert [r.reason for r in results] == ["user_not_found", None, None, None]


def test_purchase_product(world):
    world.platform.add_products(["apple", "pear"])
    assert world.one(1, T.PURCHASE_PRODUCT, product_name="pear", purchase_num=3).ok
    assert world.one(2, T.PURCHASE_PRODUCT, product_name="pear", purchase_num=2).ok
    assert world.one(2, T.PURCHASE_PRODUCT, product_name="plum", purchase_num=1).reason == (
        "product_not_found"
    )
    assert world.one(2, T.PURCHASE_PRODUCT, product_name="pear", purchase_num=0).reason.startswith(
        "malformed_args"
    )
    assert world.table("product") == [(1, "apple", 0), (2, "pear", 5)]


def test_traced_only_actions_keep_their_arguments(world):
    world.act(
        Action(1, T.DO_NOTHING, {"raw": "garbled model output"}),
        Action(2, T.INTERVIEW, {"prompt": "Left or right?", "response": "Neither."}),
        Action(3, T.REFRESH, {}),
    )
    traces = [row for row in world.table("trace") if row[1] == world.step]
    assert sorted((t[2], t[3], t[4], t[5]) for t in traces) == [
        (1, "do_nothing", {"raw": "garbled model output"}, True),
        (2, "interview", {"prompt": "Left or right?", "response": "Neither."}, True),
        (3, "refresh", {}, True),
    ]
