"""Text crossing into the platform: the one place where U+0000 is replaced.

PostgreSQL text cannot hold a NUL character and SQLite can; text arrives from untrusted places
(LLM output, the API, seed files), so every text value is cleaned here, on its way in, and both
backends store the same thing: U+FFFD (the replacement character) where U+0000 was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from oasis.core.actions import Action

NUL = "\x00"
REPLACEMENT = "\ufffd"


def clean_value(value: Any) -> Any:
    """``value`` with every NUL replaced, in strings nested in lists and mappings too."""
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT) if NUL in value else value
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean_value(v) for v in value)
    return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def clean_actions(actions: Sequence[Action]) -> list[Action]:
    """``actions`` with NULs replaced in their arguments (the same objects where there are none)."""
    return [replace(a, args=clean_value(dict(a.args))) if _has_nul(a.args) else a for a in actions]


def clean_frame(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` with NULs replaced in its text ``columns``."""
    cleaned = {c: frame[c].str.replace(NUL, REPLACEMENT, regex=False) for c in columns}
    return frame.assign(**cleaned)
