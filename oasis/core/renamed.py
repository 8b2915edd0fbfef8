"""Settings keys that were renamed when their meaning changed: refused in one line.

A key whose unit changed (a count of steps that became a simulated duration, a chance per step
that became a rate per simulated hour) is not read under its old name, so an old experiment
file cannot silently mean something else; the message names the key that replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def refuse_renamed(data: Any, renamed: Mapping[str, str]) -> Any:
    """``data`` unchanged, unless it holds a key of ``renamed`` (old key -> what replaces it).

    Raises:
        ValueError: one line naming the old key and its replacement.
    """
    if isinstance(data, Mapping):
        for old, new in renamed.items():
            if old in data:
                raise ValueError(f"'{old}' is no longer read: use {new}")
    return data
