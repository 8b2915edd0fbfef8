"""Parsing the seed files' columns, vectorised, with errors that point at the bad cell."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from oasis.datasets.errors import DatasetError

_INT_LIST = r"\[\s*(?:-?\d+\s*(?:,\s*-?\d+\s*)*,?\s*)?\]"


def read_csv(path: str | Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a seed CSV and check it has the given columns.

    Args:
        path: The CSV file.
        columns: Columns that must be present.

    Returns:
        The frame with a fresh 0-based index (the data row numbers errors report).

    Raises:
        DatasetError: The file is missing, unreadable or lacks a column.
    """
    try:
        frame = pd.read_csv(path, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DatasetError(path, None, None, f"cannot read CSV: {err}") from err
    for column in columns:
        if column not in frame.columns:
            raise DatasetError(path, None, column, "missing column")
    return frame.reset_index(drop=True)


def int_lists(frame: pd.DataFrame, column: str, path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of Python-literal int lists such as ``"[1, 2]"``.

    Args:
        frame: The frame holding the column.
        column: The column name.
        path: The file, for error messages.

    Returns:
        ``(lengths, values)``: the length of each row's list, and all values concatenated.

    Raises:
        DatasetError: A cell is not a list of integers; the first bad row is named.
    """
    text = frame[column].astype(str).str.strip()
    bad = ~text.str.fullmatch(_INT_LIST)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DatasetError(
            path,
            row,
            column,
            f"expected a list of integers like [1, 2], got {text.iloc[row][:60]!r}",
        )
    inner = text.str.slice(1, -1).str.replace(r"\s+", "", regex=True).str.rstrip(",")
    lengths = np.where(inner.str.len().to_numpy() == 0, 0, inner.str.count(",").to_numpy() + 1)
    joined = ",".join(inner[lengths > 0])
    values = np.array(joined.split(",") if joined else [], dtype=np.int64)
    return lengths.astype(np.int64), values


def hourly(frame: pd.DataFrame, column: str, path: str | Path) -> np.ndarray:
    """Parse a column of 24-int hourly lists (``activity_level_frequency``) into ``(n, 24)``.

    Args:
        frame: The frame holding the column.
        column: The column name.
        path: The file, for error messages.

    Returns:
        A float64 ``(n, 24)`` array.

    Raises:
        DatasetError: A cell is not a list of 24 integers.
    """
    lengths, values = int_lists(frame, column, path)
    wrong = np.flatnonzero(lengths != 24)
    if wrong.size:
        row = int(wrong[0])
        raise DatasetError(path, row, column, f"expected 24 hourly values, got {lengths[row]}")
    return values.reshape(len(frame), 24).astype(np.float64)


def string_lists(frame: pd.DataFrame, column: str, path: str | Path) -> list[list[str]]:
    """Parse a column of Python-literal string lists such as ``"['a', 'b']"``.

    Args:
        frame: The frame holding the column.
        column: The column name.
        path: The file, for error messages.

    Returns:
        One list of strings per row (seed files are small; this is per-row literal_eval).

    Raises:
        DatasetError: A cell is not a list of strings.
    """
    parsed = []
    for row, cell in enumerate(frame[column].astype(str)):
        try:
            value = ast.literal_eval(cell)
        except (ValueError, SyntaxError):
            value = None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise DatasetError(path, row, column, f"expected a list of strings, got {cell[:60]!r}")
        parsed.append(value)
    return parsed


def list_column(lists: list[list[str]]) -> pd.Series:
    """Wrap lists of strings as a pyarrow-backed list column (compact, no per-row objects)."""
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.array(lists, type=pa.list_(pa.string()))))


def empty_lists(n: int) -> pd.Series:
    """An all-empty pyarrow list-of-strings column of length n."""
    offsets = pa.array(np.zeros(n + 1, dtype=np.int32))
    array = pa.ListArray.from_arrays(offsets, pa.array([], type=pa.string()))
    return pd.Series(pd.arrays.ArrowExtensionArray(array))
