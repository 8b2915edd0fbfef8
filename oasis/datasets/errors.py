"""The datasets' exceptions: a seed file at fault, or population settings that cannot be met."""

from __future__ import annotations

from pathlib import Path

from oasis.errors import OasisError


class DatasetError(OasisError, ValueError):
    """A seed file is missing, or a row or column in it is malformed.

    Attributes:
        file: The file at fault.
        row: The 0-based data row (CSV row after the header, JSON list item), or None.
        column: The column or key at fault, or None.
        message: What is wrong.
    """

    def __init__(self, file: str | Path, row: int | None, column: str | None, message: str) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.message = message
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = [Path(self.file).name]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message} (file: {self.file})"


class PopulationError(OasisError, ValueError):
    """The population settings cannot be met (a core larger than the seed, say)."""
