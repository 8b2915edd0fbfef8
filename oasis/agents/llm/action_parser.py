"""Model output to actions: JSON text or tool calls in, validated actions out, never an exception.

Anything that does not parse (bad JSON, unknown or disallowed action, bad args) becomes a single
``do_nothing`` whose ``raw`` arg keeps the model's text and whose ``invalid`` says why, so the
trace shows what the model said and why it was not taken.
All or nothing: a half-valid answer is treated as invalid, since its valid part may depend on
the invalid one (a comment on a post it failed to create).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from typing import Any

from oasis.agents.llm.chat import ToolCall
from oasis.core.actions import ACTION_SPECS, Action, ActionType, validate_args

RAW_CHARS = 2000
_FENCE = re.compile(r"^\s*```[A-Za-z0-9_-]*\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)
_INT_TEXT = re.compile(r"-?\d{1,18}")


class InvalidOutput(ValueError):
    """Model output that is not a valid list of allowed actions (caught inside this module)."""


def parse_actions(
    agent_id: int,
    text: str,
    allowed: Collection[ActionType],
    max_actions: int,
    raw_chars: int = RAW_CHARS,
) -> tuple[list[Action], str | None]:
    """Parse a JSON answer into actions; on failure one do_nothing and the reason.

    Accepts ``{"actions": [...]}`` (the schema's form), a bare list, or a single action object,
    optionally inside a Markdown code fence. Items past ``max_actions`` are dropped.
    """
    try:
        items = _items(json.loads(_strip_fence(text)))
        return _actions(agent_id, items, allowed, max_actions), None
    except (InvalidOutput, ValueError, RecursionError) as exc:
        reason = _reason(exc)
        return [_raw(agent_id, text, raw_chars, reason)], reason


def parse_tool_calls(
    agent_id: int,
    calls: Sequence[ToolCall],
    allowed: Collection[ActionType],
    max_actions: int,
    raw_chars: int = RAW_CHARS,
) -> tuple[list[Action], str | None]:
    """Parse tool calls (one per action, arguments as JSON text); on failure one do_nothing."""
    try:
        items = [{"action": c.name, "args": json.loads(c.arguments or "{}")} for c in calls]
        return _actions(agent_id, items, allowed, max_actions), None
    except (InvalidOutput, ValueError, RecursionError) as exc:
        raw = json.dumps([[c.name, c.arguments] for c in calls])
        reason = _reason(exc)
        return [_raw(agent_id, raw, raw_chars, reason)], reason


def _strip_fence(text: str) -> str:
    match = _FENCE.match(text)
    return match.group(1) if match else text


def _items(data: Any) -> list[Any]:
    if isinstance(data, dict) and "actions" in data:
        data = data["actions"]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InvalidOutput("not_a_list")
    return data


def _actions(
    agent_id: int, items: list[Any], allowed: Collection[ActionType], max_actions: int
) -> list[Action]:
    actions = [_action(agent_id, item, allowed) for item in items[:max_actions]]
    return actions or [Action(agent_id, ActionType.DO_NOTHING, {})]


def _action(agent_id: int, item: Any, allowed: Collection[ActionType]) -> Action:
    if not isinstance(item, dict) or not isinstance(item.get("action"), str):
        raise InvalidOutput("item_without_action")
    if set(item) - {"action", "args"}:
        raise InvalidOutput("item_with_extra_keys")
    try:
        kind = ActionType(item["action"])
    except ValueError:
        raise InvalidOutput(f"unknown_action: {item['action'][:40]!r}") from None
    if kind not in allowed:
        raise InvalidOutput(f"action_not_allowed: {kind.value}")
    args = _coerce_ints(kind, item.get("args", {}))
    reason = validate_args(kind, args)
    if reason:
        raise InvalidOutput(reason)
    return Action(agent_id, kind, args)


def _coerce_ints(kind: ActionType, args: Any) -> dict[str, Any]:
    """Integer args given as digit strings ("12") become ints; models often quote ids."""
    if not isinstance(args, dict):
        raise InvalidOutput("args_not_an_object")
    ints = {s.name for s in ACTION_SPECS[kind] if s.type is int}
    return {
        k: int(v) if k in ints and isinstance(v, str) and _INT_TEXT.fullmatch(v) else v
        for k, v in args.items()
    }


def _raw(agent_id: int, text: str, raw_chars: int, reason: str) -> Action:
    return Action(agent_id, ActionType.DO_NOTHING, {"raw": text[:raw_chars]}, invalid=reason)


def _reason(exc: Exception) -> str:
    if isinstance(exc, InvalidOutput):
        return str(exc)
    return f"bad_json: {type(exc).__name__}"
