"""The action space: typed records that agents emit and the platform applies.

Names and argument names are OASIS's (camel-ai/oasis ``ActionType``). One table,
:data:`ACTION_SPECS`, declares every action's arguments; the platform validates against it and
the LLM policy builds its JSON schema from it, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ActionType(StrEnum):
    """Every action an agent can take, named as in OASIS."""

    SIGN_UP = "sign_up"
    REFRESH = "refresh"
    CREATE_POST = "create_post"
    REPOST = "repost"
    QUOTE_POST = "quote_post"
    LIKE_POST = "like_post"
    UNLIKE_POST = "unlike_post"
    DISLIKE_POST = "dislike_post"
    UNDO_DISLIKE_POST = "undo_dislike_post"
    CREATE_COMMENT = "create_comment"
    LIKE_COMMENT = "like_comment"
    UNLIKE_COMMENT = "unlike_comment"
    DISLIKE_COMMENT = "dislike_comment"
    UNDO_DISLIKE_COMMENT = "undo_dislike_comment"
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    MUTE = "mute"
    UNMUTE = "unmute"
    SEARCH_POSTS = "search_posts"
    SEARCH_USER = "search_user"
    TREND = "trend"
    DO_NOTHING = "do_nothing"
    REPORT_POST = "report_post"
    INTERVIEW = "interview"
    PURCHASE_PRODUCT = "purchase_product"
    CREATE_GROUP = "create_group"
    JOIN_GROUP = "join_group"
    LEAVE_GROUP = "leave_group"
    SEND_TO_GROUP = "send_to_group"
    LISTEN_FROM_GROUP = "listen_from_group"


@dataclass(frozen=True, slots=True)
class ArgSpec:
    """One argument of an action: its name, Python type and whether it must be given."""

    name: str
    type: type[int] | type[str] | type[float]
    required: bool = True


def _args(*specs: tuple[str, type[int] | type[str] | type[float]] | ArgSpec) -> tuple[ArgSpec, ...]:
    return tuple(s if isinstance(s, ArgSpec) else ArgSpec(*s) for s in specs)


_POST = ("post_id", int)
_COMMENT = ("comment_id", int)
_GROUP = ("group_id", int)

ACTION_SPECS: Mapping[ActionType, tuple[ArgSpec, ...]] = {
    ActionType.SIGN_UP: _args(("user_name", str), ("name", str), ArgSpec("bio", str, False)),
    ActionType.REFRESH: (),
    ActionType.CREATE_POST: _args(("content", str)),
    ActionType.REPOST: _args(_POST),
    ActionType.QUOTE_POST: _args(_POST, ("quote_content", str)),
    ActionType.LIKE_POST: _args(_POST),
    ActionType.UNLIKE_POST: _args(_POST),
    ActionType.DISLIKE_POST: _args(_POST),
    ActionType.UNDO_DISLIKE_POST: _args(_POST),
    ActionType.CREATE_COMMENT: _args(_POST, ("content", str)),
    ActionType.LIKE_COMMENT: _args(_COMMENT),
    ActionType.UNLIKE_COMMENT: _args(_COMMENT),
    ActionType.DISLIKE_COMMENT: _args(_COMMENT),
    ActionType.UNDO_DISLIKE_COMMENT: _args(_COMMENT),
    ActionType.FOLLOW: _args(("followee_id", int)),
    ActionType.UNFOLLOW: _args(("followee_id", int)),
    ActionType.MUTE: _args(("mutee_id", int)),
    ActionType.UNMUTE: _args(("mutee_id", int)),
    ActionType.SEARCH_POSTS: _args(("query", str)),
    ActionType.SEARCH_USER: _args(("query", str)),
    ActionType.TREND: (),
    # ``raw`` keeps model output that did not parse, so the trace shows what the LLM said.
    ActionType.DO_NOTHING: _args(ArgSpec("raw", str, False)),
    ActionType.REPORT_POST: _args(_POST, ("report_reason", str)),
    ActionType.INTERVIEW: _args(
        ("prompt", str), ArgSpec("response", str, False), ArgSpec("stance", float, False)
    ),
    ActionType.PURCHASE_PRODUCT: _args(("product_name", str), ("purchase_num", int)),
    ActionType.CREATE_GROUP: _args(("group_name", str)),
    ActionType.JOIN_GROUP: _args(_GROUP),
    ActionType.LEAVE_GROUP: _args(_GROUP),
    ActionType.SEND_TO_GROUP: _args(_GROUP, ("message", str)),
    ActionType.LISTEN_FROM_GROUP: (),
}


_ARG_NAMES: Mapping[ActionType, frozenset[str]] = {
    kind: frozenset(spec.name for spec in specs) for kind, specs in ACTION_SPECS.items()
}


class Actor(StrEnum):
    """Who took an action, recorded with it in the trace (``trace.actor``).

    ``event``: the experiment's schedule, its herd threads, the operator's injected posts, agents
    and interviews; ``heuristic``, ``llm`` and ``custom``: an agent's policy; ``person``: a
    person playing a user through the dashboard.
    """

    EVENT = "event"
    HEURISTIC = "heuristic"
    LLM = "llm"
    CUSTOM = "custom"
    PERSON = "person"


@dataclass(frozen=True, slots=True)
class Action:
    """One action by one agent. ``args`` follow :data:`ACTION_SPECS` for ``type``.

    ``invalid`` is set on the do_nothing that stands for a model answer which did not parse:
    why it did not (the trace keeps it in the row's result). It describes the answer, not the
    action, so two actions that differ only there are equal.
    """

    agent_id: int
    type: ActionType
    args: Mapping[str, Any] = field(default_factory=dict)
    invalid: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ActionResult:
    """The outcome of one action: ``ok``, else a machine-readable ``reason``; ``data`` on success.

    ``data`` holds what the action produced (``post_id``, ``comment_id``, search hits, ...).
    """

    ok: bool
    reason: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


def validate_args(action_type: ActionType | str, args: Mapping[str, Any]) -> str | None:
    """Return ``None`` when ``args`` fit the action's spec, else a reason naming the fault."""
    try:
        kind = action_type if isinstance(action_type, ActionType) else ActionType(action_type)
    except ValueError:
        return f"unknown_action: {action_type!r}"
    specs, names = ACTION_SPECS[kind], _ARG_NAMES[kind]
    if len(args) > len(specs) or not names.issuperset(args):
        extra = sorted(set(args) - names)
        return f"malformed_args: unexpected {', '.join(extra)}"
    for spec in specs:
        if spec.name not in args:
            if spec.required:
                return f"malformed_args: missing {spec.name}"
            continue
        value = args[spec.name]
        # bool is an int subclass; an id of True is a malformed argument, not post 1.
        if isinstance(value, bool) or not isinstance(value, spec.type):
            return f"malformed_args: {spec.name} must be {spec.type.__name__}"
    return None


def canonical_order(actions: Sequence[Action]) -> list[int]:
    """Indices of ``actions`` in canonical order: agent id, then the agent's own order.

    The sort is stable, so each agent's actions keep the order the agent gave them.
    """
    return sorted(range(len(actions)), key=lambda i: actions[i].agent_id)
