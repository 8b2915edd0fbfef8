"""The run, its per-step metrics and its traces."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from oasis.agents.llm.chat import LLMStats
from oasis.api.dependencies import Snap, run_record
from oasis.api.pagination import After, Limit, Offset, Step, cursor_page, page
from oasis.api.schemas import MAX_ID, CursorPage, ErrorOut, Page, RunOut, StepMetricsOut, TraceOut
from oasis.config import redact
from oasis.core.actions import ActionType, Actor
from oasis.platform.queries import TraceFilter

router = APIRouter(tags=["run"], responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}})


@router.get("/run", response_model=RunOut)
async def run_info(snap: Snap) -> RunOut:
    """The run's config, seed, current (last committed) step and status."""
    run = run_record(snap)
    usage = snap.run.metric_totals(tuple(LLMStats.__dataclass_fields__))
    lineage = run["config"].get("fork")
    return RunOut(
        seed=run["seed"],
        config=redact(run["config"]),  # databases of older runs stored secrets
        current_step=run["last_step"],
        status=run["status"],
        steps_recorded=snap.run.step_count(),
        lineage=None if lineage is None else {k: lineage[k] for k in ("parent", "at_step")},
        llm_usage=usage,
    )


@router.get("/steps", response_model=Page[StepMetricsOut])
async def step_metrics(
    snap: Snap,
    since: Step | None = None,
    until: Step | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[StepMetricsOut]:
    """Metrics of each committed step, by step, within ``[since, until]``."""
    rows = snap.run.step_metrics(limit + 1, offset, since, until)
    return page(StepMetricsOut, rows, limit, offset)


@router.get("/traces", response_model=CursorPage[TraceOut])
async def traces(
    snap: Snap,
    step: Step | None = None,
    user_id: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    action: ActionType | None = None,
    ok: bool | None = None,
    actor: Annotated[Actor | None, Query(description="who took the action")] = None,
    after: After = 0,
    limit: Limit = 50,
) -> CursorPage[TraceOut]:
    """Applied actions filtered by step, user, action type, outcome and actor, by trace id."""
    kind = None if action is None else str(action)
    where = TraceFilter(step, user_id, kind, ok, None if actor is None else str(actor))
    rows = snap.run.traces(where, after, limit + 1)
    return cursor_page(TraceOut, rows, limit, "trace_id")
