"""The dashboard's page and the aggregated JSON it reads besides the REST API.

Everything else the page shows comes from the REST API's own routes (posts, users, traces,
cascades, control), so the page and a script see the same numbers.
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from oasis.analysis import keyword_stance
from oasis.analysis.step_time import PHASES, PREVIOUS
from oasis.api.dashboard.experiments import (
    herd_groups,
    stance_groups,
    stance_rounds,
    topic_reference,
)
from oasis.api.dashboard.schemas import (
    AnswerAtStepOut,
    FeedAtStepOut,
    FeedHistoryOut,
    HerdOut,
    OverviewOut,
    PolarizationOut,
    ReferenceOut,
    SeriesOut,
    StanceHistoryOut,
    StancePointOut,
    StepPointOut,
    TopCascadeOut,
)
from oasis.api.dependencies import Snap, known_user, run_experiment, run_record
from oasis.api.pagination import MAX_LIMIT
from oasis.api.schemas import MAX_ID, ErrorOut, FeedPostOut

STATIC = resources.files("oasis.api.dashboard") / "static"
# Interview answers classified per polarization request, newest first.
MAX_ANSWERS = 5_000
# Stance rows read per polarization request; larger runs are read for a sample of agents.
MAX_STANCE_ROWS = 200_000

page_router = APIRouter(include_in_schema=False)
router = APIRouter(
    prefix="/dashboard",
    tags=["dashboard"],
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
UserId = Annotated[int, Path(ge=0, le=MAX_ID)]
Cursor = Annotated[int, Query(ge=-1, le=MAX_ID)]


@page_router.get("/", response_class=HTMLResponse)
def index() -> HTMLResponse:
    """The dashboard's single page (its scripts and styles are served under /dashboard/static)."""
    return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))


@page_router.get("/setup", response_class=HTMLResponse)
def setup_page() -> HTMLResponse:
    """The set-up page: build an experiment file by form, checked as it is typed."""
    return HTMLResponse((STATIC / "setup.html").read_text(encoding="utf-8"))


@page_router.get("/join", response_class=HTMLResponse)
def join_page() -> HTMLResponse:
    """A person's page: join the run with a participant's token and play one user."""
    return HTMLResponse((STATIC / "person.html").read_text(encoding="utf-8"))


@router.get("/overview", response_model=OverviewOut)
def overview(snap: Snap, request: Request) -> OverviewOut:
    """Name, status, step, simulated time and size of the run."""
    run = run_record(snap)
    controller = request.app.state.controller
    paused = controller.status().paused if controller is not None else None
    status = "paused" if paused and run["status"] == "running" else str(run["status"])
    config: dict[str, Any] = run["config"] or {}
    return OverviewOut(
        name=str(config.get("name", "run")),
        status=status,
        paused=paused,
        current_step=run["last_step"],
        total_steps=config.get("steps"),
        sim_time=snap.summaries.last_sim_time(),
        control=controller is not None,
        **snap.summaries.counts(),
    )


@router.get("/series", response_model=SeriesOut)
def series(
    snap: Snap,
    after: Cursor = -1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = MAX_LIMIT,
) -> SeriesOut:
    """Each step's figures after step ``after``, for the overview's charts."""
    rows = snap.run.step_metrics(limit + 1, 0, since=after + 1)
    items = [_point(row) for row in rows[:limit]]
    return SeriesOut(items=items, next_after=items[-1].step if len(rows) > limit else None)


def _point(row: dict[str, Any]) -> StepPointOut:
    metrics: dict[str, Any] = row["metrics"] or {}
    figures = {
        k: float(v)
        for k, v in metrics.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    by_type = metrics.get("actions_by_type") or {}
    return StepPointOut(
        step=row["step"],
        sim_time=row["sim_time"],
        figures=figures,
        actions_by_type=by_type,
        phases=metrics.get(PHASES) or {},
        previous_step_phases=metrics.get(PREVIOUS) or {},
    )


@router.get("/cascades", response_model=list[TopCascadeOut])
def cascades(snap: Snap, limit: Annotated[int, Query(ge=1, le=50)] = 8) -> list[TopCascadeOut]:
    """The most shared root posts; their figures are at ``/posts/{post_id}/cascade``."""
    return [TopCascadeOut.model_validate(r) for r in snap.summaries.top_cascades(limit)]


@router.get("/users/{user_id}/feeds", response_model=FeedHistoryOut)
def feeds(
    snap: Snap,
    user_id: UserId,
    before: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> FeedHistoryOut:
    """The feeds this user was shown, step by step, newest first (the feed log)."""
    known_user(snap, user_id)
    found, next_before = snap.summaries.feed_history(user_id, before, limit)
    items = [
        FeedAtStepOut(
            step=step,
            posts=[FeedPostOut.model_validate(p) for p in snap.users.feed_posts(post_ids)],
        )
        for step, post_ids in found
    ]
    return FeedHistoryOut(user_id=user_id, items=items, next_before=next_before)


@router.get("/users/{user_id}/interviews", response_model=list[AnswerAtStepOut])
def interviews(
    snap: Snap, user_id: UserId, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50
) -> list[AnswerAtStepOut]:
    """This user's interview answers, newest first, with their keyword stance."""
    answers = snap.summaries.interview_answers(limit, user_id)
    return [AnswerAtStepOut(**a, stance=keyword_stance(a["answer"])) for a in answers]


@router.get("/polarization", response_model=PolarizationOut)
def polarization(snap: Snap) -> PolarizationOut:
    """Stance distributions over time (stored stances, else interview answers per round).

    Empty when the run has neither.
    """
    stored = snap.summaries.stance_changes(MAX_STANCE_ROWS)
    if stored is not None and len(stored[0]):
        config = run_experiment(snap)
        population = config.population if config is not None else None
        rounds = stance_groups(stored[0], int(run_record(snap)["last_step"]), population)
        return PolarizationOut(
            source="stances", groups=rounds, answers_read=0, sampled_every=stored[1]
        )
    answers = snap.summaries.interview_answers(MAX_ANSWERS)
    groups = stance_rounds(answers)
    return PolarizationOut(
        source="interviews" if groups else "none",
        groups=groups,
        answers_read=len(answers),
        sampled_every=1,
    )


@router.get("/users/{user_id}/stances", response_model=StanceHistoryOut)
def stances(
    snap: Snap, user_id: UserId, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = MAX_LIMIT
) -> StanceHistoryOut:
    """This user's stored stance changes by step (``kept`` false when the run stores none)."""
    rows = snap.summaries.stance_history(user_id, limit)
    items = [StancePointOut.model_validate(r) for r in rows or []]
    return StanceHistoryOut(kept=rows is not None, items=items)


@router.get("/herd", response_model=HerdOut)
def herd(snap: Snap, request: Request) -> HerdOut:
    """Mean final scores of the herd experiment's seeded comments by group (empty otherwise)."""
    config = run_experiment(snap)
    if config is None:
        return HerdOut(groups=[])
    platform = request.app.state.platform
    agents = snap.summaries.initial_users()
    return HerdOut(groups=herd_groups(platform, config.herd, agents, config.seed))


@router.get("/reference", response_model=ReferenceOut)
def reference(snap: Snap) -> ReferenceOut:
    """The real cascade's figures when the run replays a Twitter15/16 topic (nulls otherwise)."""
    config = run_experiment(snap)
    return topic_reference(config.population if config is not None else None)
