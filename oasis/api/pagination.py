"""Paging parameters with hard maxima, and building pages from one-row-too-many queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query
from pydantic import BaseModel

from oasis.api.schemas import MAX_ID, CursorPage, Page

MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page, at most {MAX_LIMIT}")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
After = Annotated[int, Query(ge=0, le=MAX_ID, description="cursor: the last id already seen")]
Step = Annotated[int, Query(ge=0, le=MAX_ID)]

M = TypeVar("M", bound=BaseModel)


def page(model: type[M], rows: Sequence[dict[str, Any]], limit: int, offset: int) -> Page[M]:
    """A page of ``model`` from ``rows`` fetched with ``limit + 1``."""
    more = len(rows) > limit
    # One validation of the whole page: pydantic-core walks the rows, not a Python loop.
    next_offset = offset + limit if more else None
    found = {"items": rows[:limit], "limit": limit, "offset": offset, "next_offset": next_offset}
    return Page[model].model_validate(found)  # type: ignore[valid-type]


def cursor_page(
    model: type[M], rows: Sequence[dict[str, Any]], limit: int, key: str
) -> CursorPage[M]:
    """A keyset page of ``model`` from ``rows`` fetched with ``limit + 1``, cursor at ``key``."""
    cursor = int(rows[limit - 1][key]) if len(rows) > limit else None
    found = {"items": rows[:limit], "limit": limit, "next_cursor": cursor}
    return CursorPage[model].model_validate(found)  # type: ignore[valid-type]
