"""Building observations: pure functions from bulk-read records to what an agent sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from oasis.agents.observation import CommentView, Observation, PostView, UserSuggestion

READ_ACTIONS = ("search_posts", "search_user", "trend", "listen_from_group")
HITS_PER_READ = 5
MAX_RESULT_LINES = 12
_HIT_CHARS = 100

_NOTES = {
    "likes": "{n} new like(s) on your posts",
    "comments": "{n} new comment(s) on your posts",
    "shares": "{n} new repost(s) or quote(s) of your posts",
    "new_followers": "{n} new follower(s)",
}


def post_view(
    post: Mapping[str, Any], shared: Mapping[str, Any] | None, report_threshold: int
) -> PostView:
    """A post row (as the platform reads it) as shown in a feed.

    ``shared`` is the row of the post a repost shares or a quote quotes. A repost shows its
    original's text and counters; a quote its own, with the quoted post's text and author
    (see :class:`PostView`). ``flagged`` marks posts reported at least ``report_threshold``
    times.
    """
    quote = post["quote_content"] is not None
    shown = post if quote or shared is None else shared
    comments = tuple(
        CommentView(c["comment_id"], c["user_id"], c["content"], c["num_likes"], c["num_dislikes"])
        for c in post["comments"]
    )
    return PostView(
        post_id=post["post_id"],
        author_id=post["user_id"],
        author_name=post["author_name"],
        content=shown["content"],
        created_step=post["created_step"],
        likes=shown["num_likes"],
        dislikes=shown["num_dislikes"],
        shares=shown["num_shares"],
        reports=shown["num_reports"],
        original_post_id=post["original_post_id"],
        quoted_content=(shared["content"] if shared else "") if quote else None,
        comments=comments,
        flagged=shown["num_reports"] >= report_threshold,
        original_author_id=shared["user_id"] if shared else None,
        original_author_name=shared["author_name"] if shared else None,
    )


def notifications(counts: Mapping[str, int]) -> tuple[str, ...]:
    """Readable notification lines from counts of what happened to an agent's posts."""
    return tuple(_NOTES[k].format(n=n) for k, n in sorted(counts.items()) if n and k in _NOTES)


def render_hits(action: str, args: Mapping[str, Any], data: Mapping[str, Any]) -> list[str]:
    """What a search, a trend or a group listen found, as prompt lines (at most a few hits).

    The first line names the read and its hit count; each hit line names the ids an agent can
    act on (post id and author, user id, group id).
    """
    query = f" {args['query']!r}" if "query" in args else ""
    hits = _hits(data)
    lines = [f"{action}{query}: {len(hits)} hit(s)"]
    for hit in hits[:HITS_PER_READ]:
        if "bio" in hit:
            text = f"user {hit['user_id']} @{hit['user_name']} ({hit['num_followers']} followers)"
        elif "group_id" in hit:
            text = f"[group {hit['group_id']}] user {hit['sender_id']}: {hit['content']}"
        else:
            body = hit.get("content") or ""
            text = f"post {hit['post_id']} by user {hit['user_id']}: {body}"
        lines.append("  * " + _cut(text, _HIT_CHARS))
    return lines


def result_lines(
    reads: Sequence[tuple[str, Mapping[str, Any], Mapping[str, Any]]],
) -> tuple[str, ...]:
    """The hits of an agent's reads of the previous step, bounded to ``MAX_RESULT_LINES``.

    When they do not fit, every read keeps its first line and the hit lines are dealt out one
    read at a time, so three searches cannot crowd a trend out; a last line says how many
    lines were cut.
    """
    blocks = [render_hits(action, args, data) for action, args, data in reads]
    total = sum(len(block) for block in blocks)
    if total <= MAX_RESULT_LINES:
        return tuple(line for block in blocks for line in block)
    shown = _shown_lines([len(block) for block in blocks])
    lines = [line for block, n in zip(blocks, shown, strict=True) for line in block[:n]]
    cut = total - len(lines)
    return (*lines, f"({cut} more result line(s) cut to keep this list short)")


def _shown_lines(sizes: Sequence[int]) -> list[int]:
    """How many lines of each read's block :func:`result_lines` shows (see its docstring)."""
    if sum(sizes) <= MAX_RESULT_LINES:
        return list(sizes)
    shown = [0] * len(sizes)
    budget = MAX_RESULT_LINES - 1  # the last line says what was cut
    while budget:
        for i, size in enumerate(sizes):
            if budget and shown[i] < size:
                shown[i] += 1
                budget -= 1
    return shown


def listed_ids(
    reads: Sequence[tuple[str, Mapping[str, Any], Mapping[str, Any]]],
    messages: Sequence[Mapping[str, Any]] = (),
) -> tuple[tuple[str, int], ...]:
    """The ``(kind, id)`` pairs that the search results and group messages show.

    Kinds are ``post``, ``user`` and ``group``; only hits within :func:`result_lines`' bound
    count, as those are all the agent sees.
    """
    hits = [_hits(data)[:HITS_PER_READ] for _, _, data in reads]
    shown = _shown_lines([1 + len(h) for h in hits])  # a head line, then one line a hit
    pairs = [
        pair
        for h, n in zip(hits, shown, strict=True)
        for hit in h[: max(n - 1, 0)]
        for pair in _hit_ids(hit)
    ]
    for m in messages:
        pairs += [("group", int(m["group_id"])), ("user", int(m["sender_id"]))]
    return tuple(pairs)


def _hits(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(data.get("posts") or data.get("users") or data.get("messages") or [])


def _hit_ids(hit: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The ids one hit line names, as :func:`render_hits` renders it."""
    if "bio" in hit:
        return [("user", int(hit["user_id"]))]
    if "group_id" in hit:
        return [("group", int(hit["group_id"])), ("user", int(hit["sender_id"]))]
    return [("post", int(hit["post_id"])), ("user", int(hit["user_id"]))]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_observation(
    agent_id: int,
    step: int,
    time_label: str,
    feed: Sequence[PostView],
    counts: tuple[int, int],
    notes: Mapping[str, int],
    messages: Sequence[Mapping[str, Any]],
    reads: Sequence[tuple[str, Mapping[str, Any], Mapping[str, Any]]] = (),
    suggested: Sequence[UserSuggestion] = (),
) -> Observation:
    """One agent's observation; ``counts`` is (followers, following).

    ``reads`` are the agent's searches, trends and group listens of the previous step with
    their hits, shown as ``search_results``; ``suggested`` its who-to-follow list.
    """
    return Observation(
        agent_id=agent_id,
        step=step,
        time_label=time_label,
        feed=tuple(feed),
        followers=counts[0],
        following=counts[1],
        notifications=notifications(notes),
        group_messages=tuple(
            f"[group {m['group_id']}] user {m['sender_id']}: {m['content']}" for m in messages
        ),
        search_results=result_lines(reads),
        who_to_follow=tuple(suggested),
        listed_ids=listed_ids(reads, messages),
    )


def suggestion_reason(mutual: int, kind: str) -> str:
    """Why an account is suggested, as the list shows it.

    ``kind`` is ``friends`` (``mutual`` of the agent's followees follow it), ``interest`` or
    ``popular``.
    """
    if kind == "friends":
        return f"followed by {mutual} {'person' if mutual == 1 else 'people'} you follow"
    return "similar interests" if kind == "interest" else "popular"
