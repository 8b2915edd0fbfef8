"""Shorthands for action outcomes."""

from __future__ import annotations

from typing import Any

from oasis.core.actions import ActionResult


def ok(**data: Any) -> ActionResult:
    """A successful outcome carrying ``data``."""
    return ActionResult(True, None, data)


def fail(reason: str) -> ActionResult:
    """A failed outcome with a machine-readable ``reason``."""
    return ActionResult(False, reason)
