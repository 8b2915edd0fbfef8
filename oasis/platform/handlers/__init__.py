"""Action handlers: one function per action type, deciding an action against a step batch.

Handlers read and change only the :class:`~oasis.platform.batch.StepBatch` (the loaded rows and
the step's pending writes); a few read-only actions (searches, trend, group messages) query the
committed state through the batch's connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from oasis.core.actions import Action, ActionResult, ActionType
from oasis.platform.batch import StepBatch
from oasis.platform.handlers import content, groups, reads, social

Handler = Callable[[StepBatch, Action], ActionResult]

HANDLERS: Mapping[ActionType, Handler] = {
    **content.HANDLERS,
    **social.HANDLERS,
    **groups.HANDLERS,
    **reads.HANDLERS,
}

__all__ = ["HANDLERS", "Handler"]
