"""Prompt rendering, laid out for vLLM's prefix cache.

The system message (platform rules and the action list) is the same for every agent of a run,
byte for byte; the user message starts with the profile, which is the same for an agent across
steps, and ends with what changes every step (memory, then the observation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from oasis.agents.llm.action_schema import ACTION_DOCS, model_args
from oasis.agents.memory import AgentMemory, render_memory
from oasis.agents.observation import Observation, PostView, UserSuggestion
from oasis.agents.profile import Profile, render_profile
from oasis.core.actions import ActionType

PlatformKind = Literal["twitter", "reddit"]
Message = dict[str, str]

_PLATFORM_RULES: dict[str, str] = {
    "twitter": (
        "You are a user of X (Twitter), a social network of short public posts. You see posts "
        "from people you follow and recommended ones; you can post, repost, quote, like, "
        "comment, follow and more."
    ),
    "reddit": (
        "You are a user of Reddit, a forum where posts are ranked by votes. You see hot and "
        "recommended posts with their top comments; you can post, comment, upvote (like), "
        "downvote (dislike) and more."
    ),
}


def system_prompt(
    kind: PlatformKind, allowed: Sequence[ActionType], max_actions: int, tools: bool = False
) -> str:
    """The shared system message of a run: platform rules, the actions and the answer format."""
    actions = "\n".join(_action_line(a) for a in allowed)
    answer = (
        f"Answer by calling between 1 and {max_actions} of the functions."
        if tools
        else (
            f'Answer with JSON only: {{"actions": [{{"action": name, "args": {{...}}}}]}} '
            f"with between 1 and {max_actions} actions."
        )
    )
    return (
        f"{_PLATFORM_RULES[kind]}\nStay in character: act as the person described to you would, "
        f"given what they see.\n\nActions:\n{actions}\n\n{answer}"
    )


def interview_system_prompt(kind: PlatformKind) -> str:
    """The shared system message of interviews: answer in character, in plain text."""
    return (
        f"{_PLATFORM_RULES[kind]}\nAn interviewer asks you a question. "
        "Answer in character, briefly, in plain text."
    )


def build_messages(
    system: str,
    profile: Profile,
    memory: AgentMemory,
    observation: Observation,
    *,
    rendered: dict[int, str] | None = None,
) -> list[Message]:
    """The chat messages of one decision: shared system text, then profile, memory, observation.

    ``rendered``: see :func:`render_observation`.
    """
    observed = render_observation(observation, rendered=rendered)
    return _messages(system, profile, memory, observed, "What do you do now?")


def build_interview_messages(
    system: str, profile: Profile, memory: AgentMemory, question: str
) -> list[Message]:
    """The chat messages of one interview: shared system text, then profile, memory, question."""
    return _messages(system, profile, memory, f"Interviewer: {question}")


def _messages(system: str, profile: Profile, memory: AgentMemory, *tail: str) -> list[Message]:
    """The system message, then a user message of profile, memory and ``tail``, in that order.

    The profile and memory come first: they change least, so the prefix cache keeps them.
    """
    activity = f"Your recent activity:\n{render_memory(memory) or '(none yet)'}"
    user = "\n\n".join((render_profile(profile), activity, *tail))
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def render_observation(observation: Observation, *, rendered: dict[int, str] | None = None) -> str:
    """The observation as prompt text: time, counts, feed, then optional sections.

    ``rendered`` keeps each feed entry's text by the ``id`` of its view, for the prompts of one
    batch: the loop shares one immutable view per post (and per reader state) between all the
    feeds it is in, so a post seen by a thousand agents is rendered once. Pass a fresh dict per
    batch and drop it with the batch (an ``id`` is only unique while its view lives).
    """
    o = observation
    posts = [render_post(p) for p in o.feed] if rendered is None else _memo(o.feed, rendered)
    lines = [
        f"Time: {o.time_label} (step {o.step}). You have {o.followers} followers "
        f"and follow {o.following} users.",
        "Your feed:" if o.feed else "Your feed is empty.",
        *posts,
    ]
    if o.who_to_follow:
        lines += ["Who to follow:", *(render_suggestion(s) for s in o.who_to_follow)]
    for title, items in (
        ("Notifications", o.notifications),
        ("Group messages", o.group_messages),
        ("Search results", o.search_results),
    ):
        if items:  # lines already indented (a search's hits) stay under their head
            lines += [f"{title}:", *(i if i.startswith(" ") else f"- {i}" for i in items)]
    return "\n".join(lines)


def _memo(feed: Sequence[PostView], rendered: dict[int, str]) -> list[str]:
    texts = []
    for post in feed:
        text = rendered.get(id(post))
        if text is None:
            text = rendered[id(post)] = render_post(post)
        texts.append(text)
    return texts


def render_suggestion(suggestion: UserSuggestion) -> str:
    """One who-to-follow line, with the id the model follows by."""
    s = suggestion
    followers = f"{s.followers} follower{'' if s.followers == 1 else 's'}"
    return f"- {s.name} (user {s.user_id}, {followers}): {s.reason}"


def render_post(post: PostView) -> str:
    """One feed post with counters and top comments, ids shown so the model can act on them.

    A quote shows its own text, then the quoted post's; its counters and comments are its own.
    """
    head = f"- post {post.post_id} by {post.author_name} (user {post.author_id})"
    if post.original_post_id is not None:
        kind = "quoting" if post.is_quote else "reposting"
        head += f", {kind} post {post.original_post_id}"
        if post.original_author_id is not None:
            head += f" by {post.original_author_name} (user {post.original_author_id})"
    lines = [f"{head}: {post.content}"]
    if post.is_quote:
        lines.append(f"  quoted post {post.original_post_id}: {post.quoted_content}")
    counts = f"  likes {post.likes}, dislikes {post.dislikes}, shares {post.shares}"
    lines.append(counts + (" [flagged as possibly misleading]" if post.flagged else ""))
    done = [
        note
        for flag, note in (
            (post.liked, "you liked it"),
            (post.reposted, "you reposted it"),
            (post.author_followed, "you follow its author"),
        )
        if flag
    ]
    if done:
        lines.append(f"  ({'; '.join(done)})")
    lines += [
        f"  comment {c.comment_id} by user {c.author_id} (likes {c.likes}, "
        f"dislikes {c.dislikes}): {c.content}"
        for c in post.comments
    ]
    return "\n".join(lines)


def _action_line(action: ActionType) -> str:
    args = ", ".join(f"{s.name}: {s.type.__name__}" for s in model_args(action))
    return f"- {action.value}({args}): {ACTION_DOCS[action]}"
