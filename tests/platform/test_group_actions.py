"""Group chats."""

from __future__ import annotations

from oasis.core.actions import ActionType as T


def test_group_lifecycle(world):
    group = world.one(1, T.CREATE_GROUP, group_name="climate").data["group_id"]
    assert world.one(2, T.SEND_TO_GROUP, group_id=group, message="hi").reason == "not_member"
    assert world.one(2, T.JOIN_GROUP, group_id=group).ok
    assert world.one(2, T.JOIN_GROUP, group_id=group).reason == "duplicate"
    assert world.one(2, T.SEND_TO_GROUP, group_id=group, message="hello all").ok
    assert world.one(1, T.SEND_TO_GROUP, group_id=group, message="welcome").ok
    heard = world.one(2, T.LISTEN_FROM_GROUP).data["messages"]
    assert [m["content"] for m in heard] == ["welcome", "hello all"]
    assert world.one(3, T.LISTEN_FROM_GROUP).data["messages"] == []
    assert world.one(2, T.LEAVE_GROUP, group_id=group).ok
    assert world.one(2, T.LEAVE_GROUP, group_id=group).reason == "not_member"
    assert world.table("chat_group")[0][-1] == 1


def test_unknown_group(world):
    for kind, args in [
        (T.JOIN_GROUP, {"group_id": 5}),
        (T.LEAVE_GROUP, {"group_id": 5}),
        (T.SEND_TO_GROUP, {"group_id": 5, "message": "x"}),
    ]:
        assert world.one(1, kind, **args).reason == "group_not_found"


def test_group_messages_reader(world):
    group = world.one(1, T.CREATE_GROUP, group_name="g").data["group_id"]
    world.one(2, T.JOIN_GROUP, group_id=group)
    since = world.step + 1
    world.one(1, T.SEND_TO_GROUP, group_id=group, message="one")
    world.one(2, T.SEND_TO_GROUP, group_id=group, message="two")
    with world.platform.reader() as reader:
        found = reader.group_messages([1, 2, 3], since_step=since, limit=1)
    assert [[m["content"] for m in found[u]] for u in (1, 2, 3)] == [["two"], ["two"], []]
