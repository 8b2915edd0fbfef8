"""A step as one transaction object: apply the actions, save memories, figures and feeds, commit.

:meth:`oasis.platform.Platform.step` opens it; everything done through it is committed together
when the ``with`` block exits, and nothing of it when the block raises. The caller changes its
own in-process state (memories, roster) only after the block, so a failed commit leaves the
process and the database agreeing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, update

from oasis.core.actions import Action, ActionResult, ActionType, canonical_order, validate_args
from oasis.platform.batch import StepBatch, load_batch
from oasis.platform.commands import finish_done
from oasis.platform.errors import PlatformError
from oasis.platform.feed_log import FeedRecord, write_feeds
from oasis.platform.handlers import HANDLERS
from oasis.platform.handlers.result import fail
from oasis.platform.schema import Run
from oasis.platform.settings import PlatformSettings
from oasis.platform.stances import StanceRecord, write_stances
from oasis.platform.step_changes import StepChanges, step_changes
from oasis.platform.text import clean_actions
from oasis.platform.writes import write_batch, write_memories, write_metrics


class StepTransaction:
    """One step's writes over one open transaction; see :meth:`oasis.platform.Platform.step`.

    Attributes:
        step: the step being written.
        now: its simulated time, in seconds.
    """

    def __init__(self, conn: Connection, settings: PlatformSettings, step: int, now: float) -> None:
        self.conn = conn
        self.settings = settings
        self.step = step
        self.now = now
        self._actions: Sequence[Action] = ()
        self._results: list[ActionResult] | None = None
        self._changes: StepChanges | None = None
        self._metrics_saved = False

    def apply(
        self, actions: Sequence[Action], actors: Sequence[str] | None = None
    ) -> list[ActionResult]:
        """Apply the step's actions; return one result per action, in the order given.

        Actions are applied by agent id, then in each agent's own order, so the outcome does
        not depend on the order given. A step applies its actions once. ``actors`` says who
        took each action (an :class:`~oasis.core.actions.Actor`), kept in the trace.
        """
        if self._results is not None:
            raise PlatformError(f"step {self.step} already applied its actions")
        actions = clean_actions(actions)  # no NUL reaches a text column, on any backend
        order = canonical_order(actions)
        ordered = [actions[i] for i in order]
        faults = [validate_args(a.type, a.args) for a in ordered]
        valid = [a for a, fault in zip(ordered, faults, strict=True) if fault is None]
        batch = load_batch(self.conn, self.settings, self.step, self.now, valid)
        decided = [_decide(batch, a, f) for a, f in zip(ordered, faults, strict=True)]
        taken_by = [None] * len(ordered) if actors is None else [actors[i] for i in order]
        write_batch(batch, ordered, decided, taken_by)
        self._changes = step_changes(batch)
        by_index = dict(zip(order, decided, strict=True))
        self._actions = actions
        self._results = [by_index[i] for i in range(len(actions))]
        return self._results

    def changes(self) -> StepChanges:
        """What the applied actions changed (follows, users, posts, counters), as columns."""
        if self._changes is None:
            raise PlatformError(f"step {self.step} has not applied its actions")
        return self._changes

    def save_memories(self, memories: Mapping[int, Mapping[str, Any]]) -> None:
        """Save the agents' memories as they are after this step, so a resume continues here."""
        write_memories(self.conn, self.step, memories)  # cleaned of NULs there

    def save_metrics(self, metrics: Mapping[str, Any]) -> None:
        """Store the step's figures (active agents, LLM usage, ...) with its action counts."""
        write_metrics(self.conn, self.step, self.now, metrics, self._actions, self._results or [])
        self._metrics_saved = True

    def finish_commands(
        self,
        command_ids: Sequence[int],
        results: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> None:
        """Mark the control commands this step carried out done, with the step, in its commit.

        ``results``: what became of some of them, by command id (people's actions).
        """
        if command_ids:
            finish_done(self.conn, command_ids, self.step, results)

    def save_feeds(self, feeds: FeedRecord) -> None:
        """Store the feeds given at this step."""
        write_feeds(self.conn, self.step, feeds)

    def save_stances(self, stances: StanceRecord) -> None:
        """Store the agents' stances after this step (those that changed)."""
        write_stances(self.conn, self.step, stances)

    def finish(self) -> None:
        """Mark the step committed (called by the platform as the block exits)."""
        if not self._metrics_saved:
            self.save_metrics({})
        self.conn.execute(update(Run).values(last_step=self.step, status="running"))


def _decide(batch: StepBatch, action: Action, fault: str | None) -> ActionResult:
    if fault is not None:
        return fail(fault)
    # ``type`` may be the plain string of a valid action type: both look up the same handler.
    if action.type != ActionType.SIGN_UP and action.agent_id not in batch.users:
        return fail("not_signed_up")
    return HANDLERS[action.type](batch, action)
