"""Reading JSON seed files: a list of objects whose keys are checked item by item."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from oasis.datasets.errors import DatasetError


def read_json_records(path: str | Path, keys: dict[str, type]) -> list[dict[str, Any]]:
    """Read a JSON list of objects and check each has the given keys with the given types.

    Args:
        path: The JSON file.
        keys: Required key -> expected Python type (``dict`` for a nested object).

    Returns:
        The items, unchanged.

    Raises:
        DatasetError: The file is unreadable or not a list, or an item lacks a key or has a
            value of the wrong type; the item index is reported as the row.
    """
    try:
        items = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DatasetError(path, None, None, f"cannot read JSON: {err}") from err
    if not isinstance(items, list):
        raise DatasetError(path, None, None, "expected a JSON list of objects")
    for row, item in enumerate(items):
        check_record(path, row, item, keys)
    return items


def check_record(path: str | Path, row: int, item: object, keys: dict[str, type]) -> None:
    """Check one JSON item has each key with a value of the expected type.

    Args:
        path: The file, for error messages.
        row: The item index.
        item: The parsed item.
        keys: Required key -> expected Python type.

    Raises:
        DatasetError: The item is not an object, lacks a key or has a wrongly typed value.
    """
    if not isinstance(item, dict):
        raise DatasetError(path, row, None, "expected an object")
    for key, kind in keys.items():
        if key not in item:
            raise DatasetError(path, row, key, "missing key")
        if not isinstance(item[key], kind) or (kind is int and isinstance(item[key], bool)):
            raise DatasetError(path, row, key, f"expected {kind.__name__}, got {item[key]!r:.60}")
