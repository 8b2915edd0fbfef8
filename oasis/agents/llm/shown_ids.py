"""The ids an agent was shown in one observation: all that its answer schema lets it name.

A model asked for ``{"action": "follow", "args": {"followee_id": <integer>}}`` under a schema
that allows any integer invents ids (``12345``, its own): actions that fail on the platform.
Each id argument of the schema is instead an ``enum`` of the ids of its kind the agent was shown:

- posts: the feed's entries and the posts they share or quote, and the search hits;
- users: the authors of those posts, of their shown comments and of the hits, the who-to-follow
  list and the senders of group messages, never the agent itself;
- comments: the comments shown under the feed's entries;
- groups: the groups of the group messages and hits.
"""

from __future__ import annotations

from dataclasses import dataclass

from oasis.agents.observation import Observation

# Which kind of id each id argument of the action space names (oasis.core.actions).
ID_KINDS = {
    "post_id": "posts",
    "comment_id": "comments",
    "followee_id": "users",
    "mutee_id": "users",
    "group_id": "groups",
}
_LISTED = {"post": "posts", "user": "users", "group": "groups"}


@dataclass(frozen=True, slots=True)
class ShownIds:
    """The ids of each kind one agent was shown, ascending."""

    posts: tuple[int, ...] = ()
    users: tuple[int, ...] = ()
    comments: tuple[int, ...] = ()
    groups: tuple[int, ...] = ()

    def of(self, arg: str) -> tuple[int, ...] | None:
        """The ids ``arg`` may take, or None when it is not an id argument."""
        kind = ID_KINDS.get(arg)
        return None if kind is None else tuple(getattr(self, kind))


def shown_ids(observation: Observation) -> ShownIds:
    """The ids that ``observation`` shows, by kind (the agent's own user id left out)."""
    found: dict[str, set[int]] = {kind: set() for kind in ("posts", "users", "comments", "groups")}
    for post in observation.feed:
        found["posts"].add(post.post_id)
        found["users"].add(post.author_id)
        if post.original_post_id is not None:
            found["posts"].add(post.original_post_id)
        if post.original_author_id is not None:
            found["users"].add(post.original_author_id)
        for comment in post.comments:
            found["comments"].add(comment.comment_id)
            found["users"].add(comment.author_id)
    found["users"].update(s.user_id for s in observation.who_to_follow)
    for kind, value in observation.listed_ids:
        found[_LISTED[kind]].add(value)
    found["users"].discard(observation.agent_id)
    return ShownIds(**{kind: tuple(sorted(ids)) for kind, ids in found.items()})
