"""Group chats: create, join, leave and send (listening is a read, in ``reads``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from oasis.core.actions import Action, ActionResult, ActionType
from oasis.platform.batch import StepBatch
from oasis.platform.handlers.content import trimmed_text
from oasis.platform.handlers.result import fail, ok


def _join(batch: StepBatch, user_id: int, group_id: int) -> None:
    batch.relations["group_member"].add((user_id, group_id))
    batch.deltas.bump("chat_group", group_id, "num_members")


def create_group(batch: StepBatch, action: Action) -> ActionResult:
    """Create a group chat; its creator is its first member."""
    name = str(action.args["group_name"]).strip()
    if not name:
        return fail("empty_content")
    group_id = batch.new_id("group")
    batch.insert(
        "chat_group",
        {
            "group_id": group_id,
            "name": name,
            "created_by": action.agent_id,
            "created_step": batch.step,
        },
    )
    batch.groups.add(group_id)
    _join(batch, action.agent_id, group_id)
    return ok(group_id=group_id)


def join_group(batch: StepBatch, action: Action) -> ActionResult:
    """Join an existing group chat."""
    group_id = action.args["group_id"]
    if group_id not in batch.groups:
        return fail("group_not_found")
    if (action.agent_id, group_id) in batch.relations["group_member"]:
        return fail("duplicate")
    _join(batch, action.agent_id, group_id)
    return ok(group_id=group_id)


def _member_check(batch: StepBatch, action: Action) -> ActionResult | None:
    group_id = action.args["group_id"]
    if group_id not in batch.groups:
        return fail("group_not_found")
    if (action.agent_id, group_id) not in batch.relations["group_member"]:
        return fail("not_member")
    return None


def leave_group(batch: StepBatch, action: Action) -> ActionResult:
    """Leave a group chat one is a member of."""
    if (failure := _member_check(batch, action)) is not None:
        return failure
    group_id = action.args["group_id"]
    batch.relations["group_member"].remove((action.agent_id, group_id))
    batch.deltas.bump("chat_group", group_id, "num_members", -1)
    return ok(group_id=group_id)


def send_to_group(batch: StepBatch, action: Action) -> ActionResult:
    """Post a message to a group chat one is a member of."""
    if (failure := _member_check(batch, action)) is not None:
        return failure
    text = trimmed_text(batch, action.args["message"])
    if text is None:
        return fail("empty_content")
    message_id = batch.new_id("message")
    batch.insert(
        "group_message",
        {
            "message_id": message_id,
            "group_id": action.args["group_id"],
            "sender_id": action.agent_id,
            "content": text,
            "created_step": batch.step,
        },
    )
    return ok(message_id=message_id)


HANDLERS: Mapping[ActionType, Callable[[StepBatch, Action], ActionResult]] = {
    ActionType.CREATE_GROUP: create_group,
    ActionType.JOIN_GROUP: join_group,
    ActionType.LEAVE_GROUP: leave_group,
    ActionType.SEND_TO_GROUP: send_to_group,
}
