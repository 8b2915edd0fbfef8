"""Real per-minute cascade curves from files, as ``minute`` plus scale, depth and max breadth.

Three layouts: a CSV with columns ``minute, scale, depth, max_breadth``; OASIS's layout of a
topic's real curves, a folder holding ``real_data_scale/``, ``real_data_depth/`` and
``real_data_max_breadth/``, each with ``<topic>.pkl`` (the values) and ``<topic>_time.pkl`` (the
minute of each value), of different lengths; or one pickle of the three lists (a dict keyed
``scale``, ``depth``, ``max_breadth``, or a list in that order; item i is minute i). Pickles are
read by :mod:`oasis.analysis.safe_pickle`, which runs no code from the file. The three curves
are put on the union of their minutes, each read as a step function (its last value at or before
the minute, 0 before its first), so a curve that ends early keeps its final value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oasis.analysis.safe_pickle import UnsafePickleError, load_numbers
from oasis.errors import OasisError

METRICS = ("scale", "depth", "max_breadth")
# OASIS's folders of real curves, one per metric, each holding <topic>.pkl and <topic>_time.pkl.
REAL_FOLDERS = {m: f"real_data_{m}" for m in METRICS}


class CurveError(OasisError, ValueError):
    """Real curves that cannot be read or scored as given."""


def load_real_curves(path: str | Path, topic: str | None = None) -> pd.DataFrame:
    """Real per-minute curves as ``minute`` plus the metrics (see the module for the layouts).

    Args:
        path: A CSV file, a pickle of the three lists, or a folder in OASIS's layout.
        topic: The topic whose curves the folder holds (folders only).

    Raises:
        CurveError: a missing column, file or metric, curves of unequal shape, no rows, or a
            pickle that is not plain curve data.
    """
    source = Path(path)
    if source.is_dir():
        if not topic:
            raise CurveError(f"{source}: a folder of real curves needs the topic (--topic)")
        curves = {m: _topic_curve(source / REAL_FOLDERS[m], topic) for m in METRICS}
    elif source.suffix.lower() == ".csv":
        return _csv_curves(source)
    else:
        curves = _pickled_curves(source)
    return _on_common_minutes(curves)


def _csv_curves(source: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(source)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CurveError(f"{source}: not a CSV of curves ({' '.join(str(exc).split())})") from exc
    missing = {"minute", *METRICS} - set(frame.columns)
    if missing:
        raise CurveError(f"{source}: missing column(s) {', '.join(sorted(missing))}")
    if frame.empty:
        raise CurveError(f"{source}: no rows under the header")
    columns = {c: _numbers(frame[c].to_numpy(), f"{source}: {c}") for c in ("minute", *METRICS)}
    return pd.DataFrame(columns).sort_values("minute", ignore_index=True)


def _pickled_curves(source: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    try:
        data: Any = load_numbers(source)
    except UnsafePickleError as exc:
        header = source.read_bytes()[:400].split(b"\n")[0]
        if b"," in header and header.isascii():  # a CSV header, as no pickle's first line is
            raise CurveError(f"{source}: text, not a pickle (CSV curves need a .csv name)") from exc
        raise
    if isinstance(data, Mapping):
        missing = [m for m in METRICS if m not in data]
        if missing:
            keys = ", ".join(METRICS)
            raise CurveError(f"{source}: no {', '.join(missing)} curve (keys: {keys})")
        lists = [data[m] for m in METRICS]
    elif isinstance(data, Sequence | np.ndarray) and len(data) == len(METRICS):
        lists = list(data)
    else:
        raise CurveError(f"{source}: expected the three curves (scale, depth, max_breadth)")
    curves = {}
    for metric, value in zip(METRICS, lists, strict=True):
        numbers = _numbers(value, f"{source}: {metric}")
        curves[metric] = (np.arange(len(numbers), dtype=np.float64), numbers)
    return curves


def _topic_curve(folder: Path, topic: str) -> tuple[np.ndarray, np.ndarray]:
    values_file, times_file = folder / f"{topic}.pkl", folder / f"{topic}_time.pkl"
    for needed in (values_file, times_file):
        if not needed.is_file():
            raise CurveError(f"{needed}: no such file (OASIS's layout: {folder.name}/<topic>.pkl)")
    values = _numbers(load_numbers(values_file), str(values_file))
    times = _numbers(load_numbers(times_file), str(times_file))
    if len(times) != len(values):
        raise CurveError(f"{times_file}: {len(times)} minutes for {len(values)} values")
    if np.any(np.diff(times) < 0) or times[0] < 0:
        raise CurveError(f"{times_file}: minutes must start at 0 or later and never go back")
    return times, values


def _numbers(data: Any, where: str) -> np.ndarray:
    """``data`` as a non-empty 1-D array of finite floats."""
    try:
        array = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CurveError(f"{where}: not a list of numbers") from exc
    if array.ndim != 1 or array.size == 0:
        raise CurveError(f"{where}: not a non-empty list of numbers")
    if not np.isfinite(array).all():
        raise CurveError(f"{where}: every value must be a finite number")
    return array


def _on_common_minutes(curves: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    minutes = np.unique(np.concatenate([times for times, _ in curves.values()]))
    columns = {}
    for metric, (times, values) in curves.items():
        at = np.searchsorted(times, minutes, side="right") - 1
        columns[metric] = np.where(at >= 0, values[np.maximum(at, 0)], 0.0)
    return pd.DataFrame({"minute": minutes, **columns})
