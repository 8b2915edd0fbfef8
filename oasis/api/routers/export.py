"""Export of platform tables as Parquet or CSV, a page of rows at a time."""

from __future__ import annotations

import io
import json
from enum import StrEnum
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Response

from oasis.api.dependencies import Snap
from oasis.api.pagination import Offset
from oasis.api.schemas import ErrorOut
from oasis.config import redact
from oasis.platform.queries import EXPORT_TABLES

MAX_EXPORT_ROWS = 100_000

Table = StrEnum("Table", {name: name for name in EXPORT_TABLES})  # type: ignore[misc]


class Format(StrEnum):
    """File formats of an export."""

    parquet = "parquet"
    csv = "csv"


_MEDIA = {Format.parquet: "application/vnd.apache.parquet", Format.csv: "text/csv"}

router = APIRouter(tags=["export"], responses={422: {"model": ErrorOut}})


@router.get(
    "/export/{table}",
    response_class=Response,
    responses={200: {"content": {m: {} for m in _MEDIA.values()}}},
)
def export_table(
    snap: Snap,
    table: Table,
    format: Format = Format.parquet,
    limit: Annotated[int, Query(ge=1, le=MAX_EXPORT_ROWS)] = MAX_EXPORT_ROWS,
    offset: Offset = 0,
) -> Response:
    """Rows of a table in primary-key order; ``X-Next-Offset`` is set when more rows remain."""
    frame = snap.run.export(str(table), limit + 1, offset)
    if "config" in frame:  # the run's config: databases of older runs stored secrets
        frame = frame.assign(config=frame["config"].map(redact))
    headers = {"Content-Disposition": f'attachment; filename="{table}.{format}"'}
    if len(frame) > limit:
        headers["X-Next-Offset"] = str(offset + limit)
    body = _encode(_json_columns(frame.iloc[:limit]), format)
    return Response(body, media_type=_MEDIA[format], headers=headers)


def _json_columns(frame: pd.DataFrame) -> pd.DataFrame:
    # JSON columns (config, args, metrics, ...) hold dicts; files get them as JSON text.
    nested = [c for c in frame if frame[c].map(lambda v: isinstance(v, dict | list)).any()]
    return frame.assign(**{c: frame[c].map(_dumps) for c in nested})


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def _encode(frame: pd.DataFrame, format: Format) -> bytes:
    if format is Format.csv:
        return str(frame.to_csv(index=False)).encode()
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
