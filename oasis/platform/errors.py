"""The platform's exceptions: faults, never domain failures (those are failed action results)."""

from __future__ import annotations

from oasis.errors import OasisError


class PlatformError(OasisError):
    """A fault of the database or a misuse of the platform; the step in flight was rolled back."""
