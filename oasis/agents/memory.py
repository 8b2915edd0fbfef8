"""Bounded agent memory: the last few actions with their outcomes and a summary of what was seen.

OASIS agents keep the whole feed history in their context and overflow it within about twenty
rounds; this memory keeps a fixed number of entries under a hard character bound instead, and
round-trips through a small dict so the platform can store it for resume.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oasis.agents.observation import Observation
from oasis.core.actions import Action, ActionResult

_ARG_CHARS = 60
_SNIPPET_CHARS = 50
_HITS_REMEMBERED = 3


@dataclass(frozen=True, slots=True)
class MemoryLimits:
    """Bounds on memory: at most ``max_entries`` actions and ``max_chars`` of rendered text."""

    max_entries: int = 8
    max_chars: int = 1200
    seen_posts: int = 3


@dataclass(frozen=True, slots=True)
class MemoryEntry:
    """One remembered action: its step, a short rendering and its outcome ("ok" or a reason)."""

    step: int
    action: str
    outcome: str


@dataclass(frozen=True, slots=True)
class AgentMemory:
    """The bounded memory of one agent; ``seen`` summarises its last observation."""

    entries: tuple[MemoryEntry, ...] = ()
    seen: str = ""


def describe_action(action: Action) -> str:
    """A short rendering such as ``create_post(content='hello…')`` with long args cut."""
    args = ", ".join(f"{k}={_short(v, _ARG_CHARS)!r}" for k, v in action.args.items())
    return f"{action.type.value}({args})"


def summarise_observation(observation: Observation, seen_posts: int = 3) -> str:
    """A one-line summary of an observation: feed size and the first few posts, cut short."""
    heads = [
        f"#{p.post_id} by {p.author_name}: {_short(p.content, _SNIPPET_CHARS)!r}"
        for p in observation.feed[:seen_posts]
    ]
    text = f"step {observation.step}: {len(observation.feed)} posts in feed"
    return f"{text}; {'; '.join(heads)}" if heads else text


def describe_outcome(result: ActionResult) -> str:
    """``ok``, the failure reason, or for a read what it found (``ok: 2 hits: post 4, post 9``)."""
    if not result.ok:
        return str(result.reason)
    found = [result.data[k] for k in ("posts", "users", "messages") if k in result.data]
    if not found or not isinstance(found[0], list):
        return "ok"
    hits = found[0]
    named = [_hit_name(hit) for hit in hits[:_HITS_REMEMBERED]]
    more = ", …" if len(hits) > _HITS_REMEMBERED else ""
    return f"ok: {len(hits)} hit(s)" + (f": {', '.join(named)}{more}" if named else "")


def _hit_name(hit: Mapping[str, Any]) -> str:
    if "message_id" in hit:
        return f"message in group {hit['group_id']}"
    if "bio" in hit:
        return f"user {hit['user_id']}"
    return f"post {hit['post_id']}"


def remember(
    memory: AgentMemory,
    observation: Observation,
    actions: Sequence[Action],
    results: Sequence[ActionResult],
    limits: MemoryLimits = MemoryLimits(),
) -> AgentMemory:
    """The memory after one step: new entries appended, the oldest dropped to fit the bounds."""
    new = tuple(
        MemoryEntry(observation.step, describe_action(a), describe_outcome(r))
        for a, r in zip(actions, results, strict=True)
    )
    entries = (memory.entries + new)[-limits.max_entries :] if limits.max_entries else ()
    seen = summarise_observation(observation, limits.seen_posts)
    return fit(AgentMemory(entries, seen), limits.max_chars)


def fit(memory: AgentMemory, max_chars: int) -> AgentMemory:
    """Drop the oldest entries, then cut ``seen``, until the rendering has at most ``max_chars``."""
    entries = memory.entries
    size = len(render_memory(memory))
    while entries and size > max_chars:
        entries = entries[1:]
        size = len(render_memory(AgentMemory(entries, memory.seen)))
    fitted = AgentMemory(entries, memory.seen)
    excess = size - max_chars  # rendered once when it fits, as it mostly does
    if excess > 0:
        fitted = AgentMemory(entries, _short(memory.seen, max(len(memory.seen) - excess, 0)))
    return fitted


def render_memory(memory: AgentMemory) -> str:
    """The memory as prompt text: what was seen last, then one line per remembered action."""
    lines = [f"Last seen: {memory.seen}"] if memory.seen else []
    lines += [f"step {e.step}: {e.action} -> {e.outcome}" for e in memory.entries]
    return "\n".join(lines)


def memory_to_dict(memory: AgentMemory) -> dict[str, Any]:
    """A JSON-ready dict of the memory, for storage in the database."""
    return {"seen": memory.seen, "entries": [[e.step, e.action, e.outcome] for e in memory.entries]}


def memory_from_dict(data: Mapping[str, Any]) -> AgentMemory:
    """The memory stored by :func:`memory_to_dict`."""
    entries = tuple(MemoryEntry(int(s), str(a), str(o)) for s, a, o in data.get("entries", ()))
    return AgentMemory(entries, str(data.get("seen", "")))


def _short(value: Any, limit: int) -> Any:
    if not isinstance(value, str) or len(value) <= limit:
        return value
    return value[: max(limit - 1, 0)] + "…" if limit else ""
