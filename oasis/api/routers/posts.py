"""Posts: one post with its comments and shares, top and trending posts, search, cascades."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Path, Query

from oasis.analysis.cascade import cascade_metrics, cascade_tree
from oasis.api.dependencies import Snap, last_step
from oasis.api.pagination import Limit, Offset, Step, page
from oasis.api.schemas import (
    MAX_ID,
    CascadeNodeOut,
    CascadeOut,
    CascadePointOut,
    CommentOut,
    ErrorOut,
    Page,
    PostDetailOut,
    PostOut,
    RankedPostOut,
)
from oasis.platform.queries import Snapshot

router = APIRouter(
    prefix="/posts", tags=["posts"], responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}}
)

PostId = Annotated[int, Path(ge=0, le=MAX_ID)]
Window = Annotated[int, Query(ge=1, le=10_000, description="steps counted, ending at step")]
Text = Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


def _post(snap: Snapshot, post_id: int) -> dict[str, Any]:
    row = snap.posts.post(post_id)
    if row is None:
        raise HTTPException(404, f"no post with id {post_id}")
    return row


def _root(row: dict[str, Any]) -> int:
    """Where acting on the post lands: a repost's original, else the post (a quote too)."""
    return int(row["root_id"])


def _window(snap: Snapshot, step: int | None, window: int) -> tuple[int, int]:
    last = last_step(snap) if step is None else step
    return last - window + 1, last


@router.get("/search", response_model=Page[PostOut])
def search_posts(snap: Snap, q: Text, limit: Limit = 50, offset: Offset = 0) -> Page[PostOut]:
    """Posts and quotes whose text contains ``q``, newest first."""
    return page(PostOut, snap.posts.search(q, limit + 1, offset), limit, offset)


@router.get("/top", response_model=Page[PostOut])
async def top_posts(
    snap: Snap, step: Step | None = None, window: Window = 1, limit: Limit = 50, offset: Offset = 0
) -> Page[PostOut]:
    """Original posts created in the ``window`` steps up to ``step`` (default: last), by likes."""
    first, last = _window(snap, step, window)
    return page(PostOut, snap.posts.top(first, last, limit + 1, offset), limit, offset)


@router.get("/trending", response_model=Page[RankedPostOut])
async def trending_posts(
    snap: Snap, step: Step | None = None, window: Window = 1, limit: Limit = 50, offset: Offset = 0
) -> Page[RankedPostOut]:
    """Root posts by likes, comments and shares received in the ``window`` steps up to ``step``."""
    first, last = _window(snap, step, window)
    return page(RankedPostOut, snap.posts.trending(first, last, limit + 1, offset), limit, offset)


@router.get("/{post_id}", response_model=PostDetailOut)
async def post(snap: Snap, post_id: PostId, limit: Limit = 20) -> PostDetailOut:
    """One post with the first ``limit`` comments on its root, direct reposts and quotes."""
    row = _post(snap, post_id)
    root = _root(row)
    return PostDetailOut(
        post=PostOut.model_validate(row),
        root_id=root,
        comments=page(CommentOut, snap.posts.comments(root, limit + 1, 0), limit, 0),
        reposts=page(PostOut, snap.posts.shares(post_id, False, limit + 1, 0), limit, 0),
        quotes=page(PostOut, snap.posts.shares(post_id, True, limit + 1, 0), limit, 0),
    )


@router.get("/{post_id}/comments", response_model=Page[CommentOut])
async def comments(
    snap: Snap, post_id: PostId, limit: Limit = 50, offset: Offset = 0
) -> Page[CommentOut]:
    """Comments on this post's root, oldest first."""
    row = _post(snap, post_id)
    root = _root(row)
    return page(CommentOut, snap.posts.comments(root, limit + 1, offset), limit, offset)


@router.get("/{post_id}/reposts", response_model=Page[PostOut])
async def reposts(
    snap: Snap, post_id: PostId, limit: Limit = 50, offset: Offset = 0
) -> Page[PostOut]:
    """Reposts made directly of this post, oldest first."""
    _post(snap, post_id)
    return page(PostOut, snap.posts.shares(post_id, False, limit + 1, offset), limit, offset)


@router.get("/{post_id}/quotes", response_model=Page[PostOut])
async def quotes(
    snap: Snap, post_id: PostId, limit: Limit = 50, offset: Offset = 0
) -> Page[PostOut]:
    """Quotes made directly of this post, oldest first."""
    _post(snap, post_id)
    return page(PostOut, snap.posts.shares(post_id, True, limit + 1, offset), limit, offset)


@router.get("/{post_id}/cascade", response_model=CascadeOut)
def cascade(snap: Snap, post_id: PostId, limit: Limit = 50, offset: Offset = 0) -> CascadeOut:
    """The cascade this post belongs to: figures over time and a page of its tree."""
    row = _post(snap, post_id)
    root = _root(row)
    rows = snap.posts.cascade(root)
    tree = cascade_tree(pd.DataFrame(rows), root, time_column="created_step", level="post")
    depth = dict(zip(tree.post_id.tolist(), tree.depth.tolist(), strict=True))
    nodes = [r | {"depth": depth[r["post_id"]]} for r in rows[offset : offset + limit + 1]]
    points = cascade_metrics(tree).rename(columns={"time": "step"}).to_dict("records")
    return CascadeOut(
        root_id=root,
        scale=points[-1]["scale"],
        depth=points[-1]["depth"],
        max_breadth=points[-1]["max_breadth"],
        over_time=[CascadePointOut.model_validate(p) for p in points],
        nodes=page(CascadeNodeOut, nodes, limit, offset),
    )
