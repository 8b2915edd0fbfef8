"""The JSON schema and tool list that ask a model for a list of actions, built from ACTION_SPECS.

The answer is an object ``{"actions": [{"action": name, "args": {...}}, ...]}``: OpenAI's
structured outputs need an object at the root, and vLLM accepts the same schema. Each item is
an ``anyOf`` branch per allowed action (its name as a one-value ``enum`` and its typed args); the
branches are disjoint by that name, so ``anyOf`` means ``oneOf`` here, and it is the form that every
structured-output backend (OpenAI strict mode, xgrammar, outlines, llama.cpp) supports.

Every text argument has a ``maxLength`` (:class:`TextLimits`), so that a model cannot write
until ``max_tokens`` cuts its JSON. Given the ids an agent was shown (:class:`ShownIds`), each id
argument is an ``enum`` of those, and an action whose ids the agent was not shown any of is left
out of that agent's schema: the model cannot name a post, user, comment or group it never saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from oasis.agents.llm.shown_ids import ShownIds
from oasis.core.actions import ACTION_SPECS, ActionType, ArgSpec

# Arguments the platform fills in itself; the model is never asked for them.
_HIDDEN_ARGS = {ActionType.DO_NOTHING: {"raw"}, ActionType.INTERVIEW: {"response"}}
_JSON_TYPES = {int: "integer", str: "string", float: "number"}
# Text arguments bounded by TextLimits.name rather than .text.
_NAME_ARGS = frozenset({"user_name", "name", "query", "group_name", "product_name"})

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


@dataclass(frozen=True, slots=True)
class TextLimits:
    """The ``maxLength`` of text arguments: names and queries, and everything else written.

    Defaults are ``llm.text_max_chars`` and ``llm.name_max_chars`` (:class:`LLMSettings`).
    """

    text: int = 280
    name: int = 50


def args_schema(
    action: ActionType, limits: TextLimits | None = None, ids: ShownIds | None = None
) -> dict[str, Any] | None:
    """The JSON schema of one action's arguments; every argument required, none extra.

    With ``ids``, each id argument is an enum of the shown ids of its kind; None when one of
    them has none (the action cannot be taken on anything the agent saw).
    """
    properties = {}
    for spec in model_args(action):
        prop = _arg_schema(spec, limits or TextLimits())
        allowed_ids = ids.of(spec.name) if ids is not None else None
        if allowed_ids is not None:
            if not allowed_ids:
                return None
            prop["enum"] = list(allowed_ids)
        properties[spec.name] = prop
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _arg_schema(spec: ArgSpec, limits: TextLimits) -> dict[str, Any]:
    prop: dict[str, Any] = {"type": _JSON_TYPES[spec.type]}
    if spec.type is str:
        prop["maxLength"] = limits.name if spec.name in _NAME_ARGS else limits.text
    return prop


def action_list_schema(
    allowed: Iterable[ActionType],
    max_actions: int,
    limits: TextLimits | None = None,
    ids: ShownIds | None = None,
) -> dict[str, Any]:
    """The schema of ``{"actions": [...]}`` with 1 to ``max_actions`` items of allowed actions.

    With ``ids``, only what the agent was shown can be named (see the module docstring); should
    no allowed action be left, the schema is the one without ``ids``.
    """
    branches = [
        {
            "type": "object",
            "properties": {"action": {"type": "string", "enum": [a.value]}, "args": args},
            "required": ["action", "args"],
            "additionalProperties": False,
        }
        for a in allowed
        if (args := args_schema(a, limits, ids)) is not None
    ]
    if not branches and ids is not None:
        return action_list_schema(allowed, max_actions, limits)
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


def response_format(
    allowed: Iterable[ActionType],
    max_actions: int,
    limits: TextLimits | None = None,
    ids: ShownIds | None = None,
) -> dict[str, Any]:
    """The ``response_format`` of a chat request that `vllm serve` enforces as structured output."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "actions",
            "schema": action_list_schema(allowed, max_actions, limits, ids),
            "strict": True,
        },
    }


def action_tools(
    allowed: Iterable[ActionType], limits: TextLimits | None = None
) -> list[dict[str, Any]]:
    """The OpenAI ``tools`` list: one function per allowed action, its args as parameters.

    The same for every agent (no shown ids): a chat template renders the tools into the prompt,
    whose shared start the server's prefix cache reuses across agents.
    """
    return [
        {
            "type": "function",
            "function": {
                "name": a.value,
                "description": ACTION_DOCS[a],
                "parameters": args_schema(a, limits),
            },
        }
        for a in allowed
    ]
