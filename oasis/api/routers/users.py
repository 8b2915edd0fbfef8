"""Users: search, one user, follow lists, posts, actions and recorded feeds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from oasis.api.dependencies import Snap, known_user
from oasis.api.pagination import After, Limit, Offset, Step, cursor_page, page
from oasis.api.schemas import (
    MAX_ID,
    CursorPage,
    ErrorOut,
    FeedOut,
    FeedPostOut,
    Page,
    PostOut,
    TraceOut,
    UserOut,
)
from oasis.core.actions import ActionType
from oasis.platform.queries import TraceFilter

router = APIRouter(
    prefix="/users", tags=["users"], responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}}
)

UserId = Annotated[int, Path(ge=0, le=MAX_ID)]
Text = Annotated[str | None, Query(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


@router.get("", response_model=Page[UserOut])
def search_users(
    snap: Snap, q: Text = None, limit: Limit = 50, offset: Offset = 0
) -> Page[UserOut]:
    """Users whose user name, name or bio contains ``q`` (every user without ``q``)."""
    return page(UserOut, snap.users.search(q, limit + 1, offset), limit, offset)


@router.get("/{user_id}", response_model=UserOut)
async def user(snap: Snap, user_id: UserId) -> UserOut:
    """One user."""
    return UserOut.model_validate(known_user(snap, user_id))


@router.get("/{user_id}/followers", response_model=Page[UserOut])
async def followers(
    snap: Snap, user_id: UserId, limit: Limit = 50, offset: Offset = 0
) -> Page[UserOut]:
    """Users who follow this user, by user id."""
    known_user(snap, user_id)
    return page(UserOut, snap.users.followers(user_id, limit + 1, offset), limit, offset)


@router.get("/{user_id}/followees", response_model=Page[UserOut])
async def followees(
    snap: Snap, user_id: UserId, limit: Limit = 50, offset: Offset = 0
) -> Page[UserOut]:
    """Users this user follows, by user id."""
    known_user(snap, user_id)
    return page(UserOut, snap.users.followees(user_id, limit + 1, offset), limit, offset)


@router.get("/{user_id}/posts", response_model=Page[PostOut])
async def posts(
    snap: Snap, user_id: UserId, limit: Limit = 50, offset: Offset = 0
) -> Page[PostOut]:
    """This user's posts, reposts and quotes, newest first."""
    known_user(snap, user_id)
    return page(PostOut, snap.posts.by_user(user_id, limit + 1, offset), limit, offset)


@router.get("/{user_id}/actions", response_model=CursorPage[TraceOut])
async def actions(
    snap: Snap,
    user_id: UserId,
    step: Step | None = None,
    action: ActionType | None = None,
    after: After = 0,
    limit: Limit = 50,
) -> CursorPage[TraceOut]:
    """Every action this user took, by trace id, optionally of one step or type."""
    known_user(snap, user_id)
    where = TraceFilter(step, user_id, None if action is None else str(action))
    return cursor_page(TraceOut, snap.run.traces(where, after, limit + 1), limit, "trace_id")


@router.get("/{user_id}/feed", response_model=FeedOut)
def feed(
    snap: Snap, user_id: UserId, step: Step | None = None, limit: Limit = 50, offset: Offset = 0
) -> FeedOut:
    """The feed the recommender last gave this user, at or before ``step``, in rank order."""
    known_user(snap, user_id)
    last = snap.users.last_feed(user_id, step)
    if last is None:
        raise HTTPException(404, f"no feed was recorded for user {user_id}")
    at, post_ids = last
    ranked = snap.users.feed_posts(post_ids[offset : offset + limit + 1], first_rank=offset)
    found = page(FeedPostOut, ranked, limit, offset)
    return FeedOut(user_id=user_id, step=at, **dict(found))
