"""Posts, reposts, quotes, comments, votes and reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from oasis.core.actions import Action, ActionResult, ActionType
from oasis.platform.batch import StepBatch
from oasis.platform.handlers.result import fail, ok
from oasis.platform.overlay import CommentInfo, PostInfo


def trimmed_text(batch: StepBatch, value: object) -> str | None:
    """A post's, comment's or message's text cut to the platform's limit; ``None`` if blank."""
    text = str(value).strip()
    return text[: batch.settings.max_content_chars] if text else None


def exposed_through(batch: StepBatch, user_id: int, shared: PostInfo) -> int:
    """The parent post of ``user_id``'s share of the original that ``shared`` is (or shares).

    Time-inferred, as Goel et al. (2016) and Vosoughi et al. (2018) reconstruct retweet trees:
    the latest earlier adoption of the original by one of the user's followees, else the
    original (:mod:`oasis.platform.exposure`). That share becomes the new share's parent, which
    is what puts the followee between the root and the user in the cascade tree.
    """
    return batch.parents.get((user_id, shared.root_id), shared.root_id)


def _new_post(
    batch: StepBatch, user_id: int, content: str, shared: PostInfo | None, quote: bool
) -> ActionResult:
    """Insert a post; a repost or quote of ``shared`` counts as a share of what it shares.

    A repost's likes, comments and shares land on its original; a quote's on the quote itself.
    """
    post_id = batch.new_id("post")
    original = shared.root_id if shared else None
    batch.insert(
        "post",
        {
            "post_id": post_id,
            "user_id": user_id,
            "original_post_id": original,
            "parent_post_id": exposed_through(batch, user_id, shared) if shared else None,
            "content": content,
            "quote_content": content if quote else None,
            "created_step": batch.step,
            "created_at": batch.now,
        },
    )
    root = post_id if original is None or quote else original
    batch.posts[post_id] = PostInfo(post_id, user_id, root)
    if original is not None:
        batch.deltas.bump("post", original, "num_shares")
    return ok(post_id=post_id)


def create_post(batch: StepBatch, action: Action) -> ActionResult:
    """Publish a new post."""
    content = trimmed_text(batch, action.args["content"])
    if content is None:
        return fail("empty_content")
    return _new_post(batch, action.agent_id, content, None, quote=False)


def repost(batch: StepBatch, action: Action) -> ActionResult:
    """Share a post; sharing a share shares its original (once per user), as on X.

    The new share records the post it descends from (see :func:`exposed_through`).
    """
    post = batch.posts.get(action.args["post_id"])
    if post is None:
        return fail("post_not_found")
    pair = (action.agent_id, post.root_id)
    reposts = batch.relations["repost"]
    if pair in reposts:
        return fail("duplicate")
    reposts.add(pair)
    return _new_post(batch, action.agent_id, "", post, quote=False)


def quote_post(batch: StepBatch, action: Action) -> ActionResult:
    """Post a text of one's own on top of a post: a post of its own, counted as a share.

    What it quotes is what a repost would share (a repost's original; a quote is quoted itself),
    so it joins that post's cascade; it may repeat. Its text is both its ``content`` and, as in
    OASIS's table, its ``quote_content``.
    """
    post = batch.posts.get(action.args["post_id"])
    if post is None:
        return fail("post_not_found")
    quote = trimmed_text(batch, action.args["quote_content"])
    if quote is None:
        return fail("empty_content")
    return _new_post(batch, action.agent_id, quote, post, quote=True)


def create_comment(batch: StepBatch, action: Action) -> ActionResult:
    """Comment on a post; a comment on a repost lands on its original (a quote keeps its own)."""
    post = batch.posts.get(action.args["post_id"])
    if post is None:
        return fail("post_not_found")
    content = trimmed_text(batch, action.args["content"])
    if content is None:
        return fail("empty_content")
    comment_id = batch.new_id("comment")
    batch.insert(
        "comment",
        {
            "comment_id": comment_id,
            "post_id": post.root_id,
            "user_id": action.agent_id,
            "content": content,
            "created_step": batch.step,
            "created_at": batch.now,
        },
    )
    batch.comments[comment_id] = CommentInfo(comment_id, post.root_id, action.agent_id)
    return ok(comment_id=comment_id, post_id=post.root_id)


Target = tuple[str, int, int]  # (table, row id, author id) of what a vote lands on


def _post_root(batch: StepBatch, action: Action) -> Target | str:
    post = batch.posts.get(action.args["post_id"])
    if post is None:
        return "post_not_found"
    root = batch.posts[post.root_id]
    return "post", root.post_id, root.user_id


def _comment(batch: StepBatch, action: Action) -> Target | str:
    comment = batch.comments.get(action.args["comment_id"])
    return (
        "comment_not_found" if comment is None else ("comment", comment.comment_id, comment.user_id)
    )


def _vote(
    resolve: Callable[[StepBatch, Action], Target | str],
    relation: str,
    counter: str,
    undo: bool,
) -> Callable[[StepBatch, Action], ActionResult]:
    """A handler that adds (or, with ``undo``, takes back) one user's vote on a post or comment."""

    def handle(batch: StepBatch, action: Action) -> ActionResult:
        target = resolve(batch, action)
        if isinstance(target, str):
            return fail(target)
        table, row_id, author_id = target
        pair, pairs = (action.agent_id, row_id), batch.relations[relation]
        if undo:
            if pair not in pairs:
                return fail(f"not_{counter.removeprefix('num_').removesuffix('s')}d")
            pairs.remove(pair)
            batch.deltas.bump(table, row_id, counter, -1)
        else:
            if not batch.settings.allow_self_rating and author_id == action.agent_id:
                return fail("self_rating")
            if pair in pairs:
                return fail("duplicate")
            pairs.add(pair)
            batch.deltas.bump(table, row_id, counter)
        return ok(**{f"{table}_id": row_id})

    return handle


def report_post(batch: StepBatch, action: Action) -> ActionResult:
    """Report a post (a repost's original) once; past the threshold readers see a warning."""
    post = batch.posts.get(action.args["post_id"])
    if post is None:
        return fail("post_not_found")
    pair = (action.agent_id, post.root_id)
    if pair in batch.relations["report"]:
        return fail("duplicate")
    batch.relations["report"].add(pair, str(action.args["report_reason"]))
    batch.deltas.bump("post", post.root_id, "num_reports")
    return ok(post_id=post.root_id)


HANDLERS: Mapping[ActionType, Callable[[StepBatch, Action], ActionResult]] = {
    ActionType.CREATE_POST: create_post,
    ActionType.REPOST: repost,
    ActionType.QUOTE_POST: quote_post,
    ActionType.CREATE_COMMENT: create_comment,
    ActionType.LIKE_POST: _vote(_post_root, "like", "num_likes", undo=False),
    ActionType.UNLIKE_POST: _vote(_post_root, "like", "num_likes", undo=True),
    ActionType.DISLIKE_POST: _vote(_post_root, "dislike", "num_dislikes", undo=False),
    ActionType.UNDO_DISLIKE_POST: _vote(_post_root, "dislike", "num_dislikes", undo=True),
    ActionType.LIKE_COMMENT: _vote(_comment, "comment_like", "num_likes", undo=False),
    ActionType.UNLIKE_COMMENT: _vote(_comment, "comment_like", "num_likes", undo=True),
    ActionType.DISLIKE_COMMENT: _vote(_comment, "comment_dislike", "num_dislikes", undo=False),
    ActionType.UNDO_DISLIKE_COMMENT: _vote(_comment, "comment_dislike", "num_dislikes", undo=True),
    ActionType.REPORT_POST: report_post,
}
