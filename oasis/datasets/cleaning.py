"""Seed data cleaning: defects repaired deterministically, each one listed, no record dropped.

The OASIS seeds carry defects that would otherwise crash a run or lose data quietly: user names
repeated within a file (12 in each group-polarization file: ``mashable``, ``CNN``...), text with
stray whitespace (thread 149 of ``counterfactual_36.json`` ends in a space, which the platform
strips and a lookup by text then misses), self-follows and repeated follows. Each repair is a
:class:`Repair` row; loaders return them with the data, the run logs them and ``summary.md``
lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True, slots=True)
class Repair:
    """One repaired defect: where it was, what it was and what it became."""

    source: str
    row: int | None
    column: str
    problem: str
    before: str
    after: str

    def describe(self) -> str:
        """One line for the log and the summary."""
        where = f"{self.source} row {self.row}" if self.row is not None else self.source
        return f"{where}, {self.column}: {self.problem} ({self.before!r} -> {self.after!r})"


def unique_names(
    names: Sequence[str], source: str | Path, column: str = "user_name"
) -> tuple[list[str], list[Repair]]:
    """Make every name unique: a repeat gets the first free suffix ``_2``, ``_3``, ...

    The first occurrence keeps its name; suffixes avoid every name already in the list.

    Returns:
        The names in their order, and one :class:`Repair` per renamed row.
    """
    taken, fixed, repairs = set(names), [], []
    seen: set[str] = set()
    for row, name in enumerate(names):
        if name in seen:
            suffix = 2
            while f"{name}_{suffix}" in taken:
                suffix += 1
            new = f"{name}_{suffix}"
            taken.add(new)
            repairs.append(Repair(Path(source).name, row, column, "duplicate name", name, new))
            name = new
        seen.add(name)
        fixed.append(name)
    return fixed, repairs


def stripped(
    values: Iterable[str], source: str | Path, column: str
) -> tuple[list[str], list[Repair]]:
    """Strip leading and trailing whitespace, listing each value that changed."""
    out, repairs = [], []
    for row, value in enumerate(values):
        clean = value.strip()
        if clean != value:
            shown = value if len(value) <= 40 else f"...{value[-37:]}"
            repairs.append(
                Repair(Path(source).name, row, column, "stray whitespace", shown, shown.strip())
            )
        out.append(clean)
    return out, repairs


def strip_columns(
    frame: pd.DataFrame, columns: Sequence[str], source: str | Path
) -> tuple[pd.DataFrame, list[Repair]]:
    """``frame`` with the text ``columns`` stripped, and the repairs."""
    repairs: list[Repair] = []
    update = {}
    for column in columns:
        update[column], found = stripped(frame[column].astype(str), source, column)
        repairs += found
    return frame.assign(**update), repairs


def follow_repairs(pairs: np.ndarray, kept: np.ndarray, source: str | Path) -> list[Repair]:
    """Summarise follow edges a cleaning dropped (self-follows, repeats) as one repair row."""
    dropped = len(pairs) - len(kept)
    if dropped == 0:
        return []
    selves = int(np.sum(pairs[:, 0] == pairs[:, 1])) if len(pairs) else 0
    return [
        Repair(
            Path(source).name, None, "following_agentid_list",
            "self-follows and repeated follows merged (a platform follow is unique)",
            f"{len(pairs)} edges ({selves} self-follows)", f"{len(kept)} edges",
        )
    ]  # fmt: skip
