"""The root of every project error, so a caller (the ``oasis`` command) catches one class.

Each package raises its own subclass: :class:`oasis.config.ConfigError`,
:class:`oasis.datasets.DatasetError`, :class:`oasis.platform.PlatformError`,
:class:`oasis.recsys.RecsysError`, :class:`oasis.planning.capacity.PlanError`,
:class:`oasis.agents.shards.pool.ShardFailedError` and :class:`RunError` below. Domain failures
(an action on an unknown post) are not errors: they are failed action results in the trace.
"""

from __future__ import annotations


class OasisError(Exception):
    """A fault that OASIS reports; the command line prints it as one line."""


def error_line(exc: OasisError) -> str:
    """``exc`` as the command line prints it: ``error: `` and its message on one line."""
    return f"error: {' '.join(str(exc).split())}"


class RunError(OasisError, ValueError):
    """A run cannot start or go on as asked (a database already holding a run, say)."""
