"""Loader for the e-mall products of OASIS's e-commerce Reddit variant."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from oasis.datasets.errors import DatasetError
from oasis.datasets.records import read_json_records

_NAME = re.compile(r"^product name:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_PRICE = re.compile(r"^price:\s*\$?([0-9]+(?:\.[0-9]+)?)", re.IGNORECASE | re.MULTILINE)


def load_products(path: str | Path) -> pd.DataFrame:
    """Load ``product.json``: each item's ``content`` starts with ``product name:`` and ``Price:``.

    Args:
        path: The JSON file.

    Returns:
        Columns ``product_id`` (0-based), ``name``, ``price`` (float) and ``content`` (the full
        advert, which agents see as a post).

    Raises:
        DatasetError: An item lacks ``content`` or its product name or price line.
    """
    items = read_json_records(path, {"content": str})
    rows = [_product(path, row, item["content"]) for row, item in enumerate(items)]
    return pd.DataFrame(rows, columns=["product_id", "name", "price", "content"])


def _product(path: str | Path, row: int, content: str) -> tuple[int, str, float, str]:
    name, price = _NAME.search(content), _PRICE.search(content)
    if name is None:
        raise DatasetError(path, row, "content", "no 'product name:' line")
    if price is None:
        raise DatasetError(path, row, "content", "no 'Price: $...' line")
    return row, name.group(1).strip(), float(price.group(1)), content
