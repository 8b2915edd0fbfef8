"""Accounts and the social graph: sign-up, follow, mute, and actions that only leave a trace."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from oasis.core.actions import Action, ActionResult, ActionType
from oasis.platform.batch import StepBatch
from oasis.platform.handlers.result import fail, ok


def sign_up(batch: StepBatch, action: Action) -> ActionResult:
    """Create the acting agent's account, with a unique user name."""
    user_name = str(action.args["user_name"])
    if action.agent_id in batch.users:
        return fail("duplicate")
    if not user_name.strip():
        return fail("empty_content")
    if user_name in batch.user_names:
        return fail("user_name_taken")
    batch.users.add(action.agent_id)
    batch.user_names.add(user_name)
    batch.insert(
        "user",
        {
            "user_id": action.agent_id,
            "user_name": user_name,
            "name": str(action.args["name"]),
            "bio": str(action.args.get("bio", "")),
            "created_step": batch.step,
        },
    )
    return ok(user_id=action.agent_id)


def _edge(
    relation: str, arg: str, undo: bool, counters: tuple[str, str] | None
) -> Callable[[StepBatch, Action], ActionResult]:
    """A handler that makes or breaks a user->user edge (follow, mute).

    ``counters`` names the acting user's and the target's counters the edge moves, if any.
    """

    def handle(batch: StepBatch, action: Action) -> ActionResult:
        target = action.args[arg]
        if target == action.agent_id:
            return fail(f"self_{relation}")
        if target not in batch.users:
            return fail("user_not_found")
        pair, pairs = (action.agent_id, target), batch.relations[relation]
        if undo and pair not in pairs:
            return fail(f"not_{relation}ing" if relation == "follow" else f"not_{relation}d")
        if not undo and pair in pairs:
            return fail("duplicate")
        (pairs.remove if undo else pairs.add)(pair)
        if counters:
            by = -1 if undo else 1
            batch.deltas.bump("user", action.agent_id, counters[0], by)
            batch.deltas.bump("user", target, counters[1], by)
        return ok(**{arg: target})

    return handle


def purchase_product(batch: StepBatch, action: Action) -> ActionResult:
    """Buy ``purchase_num`` units of a product (the e-commerce variant)."""
    product_id = batch.products.get(str(action.args["product_name"]))
    if product_id is None:
        return fail("product_not_found")
    count = action.args["purchase_num"]
    if count < 1:
        return fail("malformed_args: purchase_num must be positive")
    batch.deltas.bump("product", product_id, "sales", count)
    return ok(product_id=product_id)


def traced_only(batch: StepBatch, action: Action) -> ActionResult:
    """Actions whose effect is their trace row: refresh, do_nothing, interview.

    A do_nothing standing for an answer that did not parse keeps why in its result.
    """
    return ok() if action.invalid is None else ok(invalid=action.invalid)


_FOLLOW_COUNTERS = ("num_followings", "num_followers")

HANDLERS: Mapping[ActionType, Callable[[StepBatch, Action], ActionResult]] = {
    ActionType.SIGN_UP: sign_up,
    ActionType.FOLLOW: _edge("follow", "followee_id", undo=False, counters=_FOLLOW_COUNTERS),
    ActionType.UNFOLLOW: _edge("follow", "followee_id", undo=True, counters=_FOLLOW_COUNTERS),
    ActionType.MUTE: _edge("mute", "mutee_id", undo=False, counters=None),
    ActionType.UNMUTE: _edge("mute", "mutee_id", undo=True, counters=None),
    ActionType.PURCHASE_PRODUCT: purchase_product,
    ActionType.REFRESH: traced_only,
    ActionType.DO_NOTHING: traced_only,
    ActionType.INTERVIEW: traced_only,
}
