"""Building observations: pure functions from bulk-read records to what an agent sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from oasis.agents.observation import CommentView, Observation, PostView

_NOTES = {
    "likes": "{n} new like(s) on your posts",
    "comments": "{n} new comment(s) on your posts",
    "shares": "{n} new repost(s) or quote(s) of your posts",
    "new_followers": "{n} new follower(s)",
}


def post_view(
    post: Mapping[str, Any], root: Mapping[str, Any] | None, report_threshold: int
) -> PostView:
    """A post row (as the platform reads it) as shown in a feed.

    A repost or quote shows its root's text and counters, as OASIS does; ``flagged`` marks
    posts reported at least ``report_threshold`` times.
    """
    shown = root or post
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
        quote_content=post["quote_content"],
        comments=comments,
        flagged=shown["num_reports"] >= report_threshold,
        original_author_id=root["user_id"] if root else None,
        original_author_name=root["author_name"] if root else None,
    )


def notifications(counts: Mapping[str, int]) -> tuple[str, ...]:
    """Readable notification lines from counts of what happened to an agent's posts."""
    return tuple(_NOTES[k].format(n=n) for k, n in sorted(counts.items()) if n and k in _NOTES)


def build_observation(
    agent_id: int,
    step: int,
    time_label: str,
    feed: Sequence[PostView],
    counts: tuple[int, int],
    notes: Mapping[str, int],
    messages: Sequence[Mapping[str, Any]],
) -> Observation:
    """One agent's observation; ``counts`` is (followers, following)."""
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
    )
