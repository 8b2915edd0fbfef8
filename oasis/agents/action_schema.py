"""The JSON schema and tool list that ask a model for a list of actions, built from ACTION_SPECS.

The answer is an object ``{"actions": [{"action": name, "args": {...}}, ...]}``: OpenAI's
structured outputs need an object at the root, and vLLM accepts the same schema. Each item is
an ``anyOf`` branch per allowed action (its name as a one-value ``enum`` and its typed args); the
branches are disjoint by that name, so ``anyOf`` means ``oneOf`` here, and it is the form that every
structured-output backend (OpenAI strict mode, xgrammar, outlines) supports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from oasis.core.actions import ACTION_SPECS, ActionType, ArgSpec

# Arguments the platform fills in itself; the model is never asked for them.
_HIDDEN_ARGS = {ActionType.DO_NOTHING: {"raw"}, ActionType.INTERVIEW: {"response"}}
_JSON_TYPES = {int: "integer", str: "string", float: "number"}

ACTION_DOCS: Mapping[ActionType, str] = {
    ActionType.SIGN_UP: "Create your account.",
    ActionType.REFRESH: "Fetch a fresh feed.",
    ActionType.CREATE_POST: "Publish a new post.",
    ActionType.REPOST: "Share a post unchanged with your followers.",
    ActionType.QUOTE_POST: "Share a post with your own comment on top.",
    ActionType.LIKE_POST: "Like a post.",
    ActionType.UNLIKE_POST: "Remove your like from a post.",
    ActionType.DISLIKE_POST: "Dislike a post.",
    ActionType.UNDO_DISLIKE_POST: "Remove your dislike from a post.",
    ActionType.CREATE_COMMENT: "Comment on a post.",
    ActionType.LIKE_COMMENT: "Like a comment.",
    ActionType.UNLIKE_COMMENT: "Remove your like from a comment.",
    ActionType.DISLIKE_COMMENT: "Dislike a comment.",
    ActionType.UNDO_DISLIKE_COMMENT: "Remove your dislike from a comment.",
    ActionType.FOLLOW: "Follow a user.",
    ActionType.UNFOLLOW: "Stop following a user.",
    ActionType.MUTE: "Hide a user's posts from your feed.",
    ActionType.UNMUTE: "Show a muted user's posts again.",
    ActionType.SEARCH_POSTS: "Search posts by keyword.",
    ActionType.SEARCH_USER: "Search users by name.",
    ActionType.TREND: "See the trending posts.",
    ActionType.DO_NOTHING: "Do nothing this round.",
    ActionType.REPORT_POST: "Report a post as harmful or misleading, with a reason.",
    ActionType.INTERVIEW: "Answer an interviewer's question.",
    ActionType.PURCHASE_PRODUCT: "Buy a number of units of a product.",
    ActionType.CREATE_GROUP: "Create a group chat.",
    ActionType.JOIN_GROUP: "Join a group chat.",
    ActionType.LEAVE_GROUP: "Leave a group chat.",
    ActionType.SEND_TO_GROUP: "Send a message to a group chat.",
    ActionType.LISTEN_FROM_GROUP: "Read the latest messages of your groups.",
}


def model_args(action: ActionType) -> tuple[ArgSpec, ...]:
    """The arguments of ``action`` that the model fills in (hidden platform args left out)."""
    hidden = _HIDDEN_ARGS.get(action, set())
    return tuple(s for s in ACTION_SPECS[action] if s.name not in hidden)


def args_schema(action: ActionType) -> dict[str, Any]:
    """The JSON schema of one action's arguments; every argument required, none extra."""
    specs = model_args(action)
    return {
        "type": "object",
        "properties": {s.name: {"type": _JSON_TYPES[s.type]} for s in specs},
        "required": [s.name for s in specs],
        "additionalProperties": False,
    }


def action_list_schema(allowed: Iterable[ActionType], max_actions: int) -> dict[str, Any]:
    """The schema of ``{"actions": [...]}`` with 1 to ``max_actions`` items of allowed actions."""
    branches = [
        {
            "type": "object",
            "properties": {
                "action": {"type": "string", "enum": [a.value]},
                "args": args_schema(a),
            },
            "required": ["action", "args"],
            "additionalProperties": False,
        }
        for a in allowed
    ]
    actions = {
        "type": "array",
        "items": {"anyOf": branches},
        "minItems": 1,
        "maxItems": max_actions,
    }
    return {
        "type": "object",
        "properties": {"actions": actions},
        "required": ["actions"],
        "additionalProperties": False,
    }


def response_format(allowed: Iterable[ActionType], max_actions: int) -> dict[str, Any]:
    """The ``response_format`` of a chat request that `vllm serve` enforces as structured output."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "actions",
            "schema": action_list_schema(allowed, max_actions),
            "strict": True,
        },
    }


def action_tools(allowed: Iterable[ActionType]) -> list[dict[str, Any]]:
    """The OpenAI ``tools`` list: one function per allowed action, its args as parameters."""
    return [
        {
            "type": "function",
            "function": {
                "name": a.value,
                "description": ACTION_DOCS[a],
                "parameters": args_schema(a),
            },
        }
        for a in allowed
    ]
