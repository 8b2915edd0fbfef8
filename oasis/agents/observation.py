"""What an active agent sees in one step: plain records built from bulk reads by the platform."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommentView:
    """One comment under a post, as shown in a feed."""

    comment_id: int
    author_id: int
    content: str
    likes: int = 0
    dislikes: int = 0


@dataclass(frozen=True, slots=True)
class PostView:
    """One post in a feed with its counters and top comments.

    ``original_post_id`` is set for reposts and quotes: then ``author_*`` is who shared or quoted
    it and ``original_author_*`` who wrote the post shared or quoted. A repost shows its
    original's text, counters and comments, as a timeline shows "X reposted"; acting on it acts
    on the original. A quote is a post of its own: ``content``, counters and comments are the
    quote's, ``quoted_content`` is the text of the post it quotes, and acting on it acts on the
    quote. ``flagged`` marks posts that the platform labels as reported (misinformation warning).
    ``liked``, ``reposted`` and ``author_followed`` are the reader's own state: whether they
    already liked or reposted :attr:`target_post_id` and follow :attr:`target_author_id`.
    """

    post_id: int
    author_id: int
    author_name: str
    content: str
    created_step: int
    likes: int = 0
    dislikes: int = 0
    shares: int = 0
    reports: int = 0
    original_post_id: int | None = None
    quoted_content: str | None = None
    comments: tuple[CommentView, ...] = ()
    flagged: bool = False
    original_author_id: int | None = None
    original_author_name: str | None = None
    liked: bool = False
    reposted: bool = False
    author_followed: bool = False

    @property
    def is_quote(self) -> bool:
        """Whether this entry is a quote (a post of its own on top of another)."""
        return self.quoted_content is not None

    @property
    def target_post_id(self) -> int:
        """The post that acting on this entry acts on: a repost's original, else this post."""
        if self.original_post_id is None or self.is_quote:
            return self.post_id
        return self.original_post_id

    @property
    def target_author_id(self) -> int:
        """The author of :attr:`target_post_id`."""
        if self.original_author_id is None or self.is_quote:
            return self.author_id
        return self.original_author_id


@dataclass(frozen=True, slots=True)
class UserSuggestion:
    """One account in the who-to-follow list, with why it is suggested.

    ``reason`` is readable text ("followed by 2 people you follow", "similar interests",
    "popular").
    """

    user_id: int
    name: str
    followers: int
    reason: str


@dataclass(frozen=True, slots=True)
class Observation:
    """Everything one agent sees at one step; read from the state committed at step - 1.

    ``notifications`` are events on the agent's own posts ("user 7 liked your post 12");
    ``group_messages`` are recent messages in the agent's groups (empty when groups are off);
    ``search_results`` are the rendered hits of the agent's searches in the previous step;
    ``who_to_follow`` the accounts the platform suggests following, best first; ``listed_ids``
    the ``(kind, id)`` pairs (``post``, ``user``, ``group``) that the search results and group
    messages name, which the answer schema lets the agent act on.
    """

    agent_id: int
    step: int
    time_label: str
    feed: tuple[PostView, ...] = ()
    followers: int = 0
    following: int = 0
    notifications: tuple[str, ...] = ()
    group_messages: tuple[str, ...] = ()
    search_results: tuple[str, ...] = ()
    who_to_follow: tuple[UserSuggestion, ...] = ()
    listed_ids: tuple[tuple[str, int], ...] = ()
