"""Control of the attached simulation: pause, resume, injections, interviews, people's tokens.

Every route needs the bearer token given at start-up (401 otherwise) and an attached
simulation (409 otherwise); a finished run takes no more commands (409).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam

from oasis.api.dependencies import Control, Snap, known_user, run_record
from oasis.api.launcher import Launched, launch, launched_runs
from oasis.api.people_schemas import IssuedTokenOut, LaunchedOut, TokenIn, TokenOut
from oasis.api.schemas import (
    MAX_ID,
    AcceptedOut,
    AnswerOut,
    ControlStatusOut,
    ErrorOut,
    InjectAgentIn,
    InjectPostIn,
    InterviewIn,
    InterviewOut,
)
from oasis.errors import OasisError, error_line
from oasis.loop.commands import Controller, ControlStatus
from oasis.loop.people_desk import PeopleDesk
from oasis.platform.queries import Snapshot

router = APIRouter(
    prefix="/control",
    tags=["control"],
    responses={
        401: {"model": ErrorOut},
        404: {"model": ErrorOut},
        409: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)


def _status(status: ControlStatus) -> ControlStatusOut:
    return ControlStatusOut.model_validate(status, from_attributes=True)


def _taking_commands(snap: Snapshot) -> None:
    """Refuse a command that no step would ever take: the run has finished.

    A failed run is not refused: ``oasis run --resume`` goes on with what waits for it.
    """
    run = run_record(snap)
    if run["status"] == "finished":
        raise HTTPException(
            409, f"the run has finished (last step {run['last_step']}); it takes no more commands"
        )


@router.get("/status", response_model=ControlStatusOut)
def status(control: Control) -> ControlStatusOut:
    """Whether the simulation is paused and what waits for its next step."""
    return _status(control.status())


@router.post("/pause", response_model=ControlStatusOut)
def pause(control: Control, snap: Snap) -> ControlStatusOut:
    """Pause the simulation before its next step."""
    _taking_commands(snap)
    control.pause()
    return _status(control.status())


@router.post("/resume", response_model=ControlStatusOut)
def resume(control: Control, snap: Snap) -> ControlStatusOut:
    """Let the simulation step again."""
    _taking_commands(snap)
    control.resume()
    return _status(control.status())


@router.post("/posts", response_model=AcceptedOut, status_code=202)
def inject_post(control: Control, snap: Snap, body: InjectPostIn) -> AcceptedOut:
    """Publish a post as an existing user at the next step."""
    _taking_commands(snap)
    known_user(snap, body.user_id)
    return AcceptedOut(command_id=control.inject_post(body.user_id, body.content))


@router.post("/agents", response_model=AcceptedOut, status_code=202)
def inject_agent(control: Control, snap: Snap, body: InjectAgentIn) -> AcceptedOut:
    """Sign up a new agent at the next step."""
    _taking_commands(snap)
    if snap.users.name_taken(body.user_name):
        raise HTTPException(409, f"user name {body.user_name!r} is taken")
    return AcceptedOut(command_id=control.inject_agent(body.user_name, body.name, body.bio))


@router.post("/interviews", response_model=AcceptedOut, status_code=202)
def interview(control: Control, snap: Snap, body: InterviewIn) -> AcceptedOut:
    """Put a question to some users at the next step; read answers at its request id."""
    _taking_commands(snap)
    missing = sorted(set(body.user_ids) - snap.users.existing(body.user_ids))
    if missing:
        raise HTTPException(404, f"no users with ids {missing}")
    return AcceptedOut(command_id=control.interview(body.user_ids, body.question))


@router.get("/interviews/{request_id}", response_model=InterviewOut)
def interview_answers(
    control: Control, request_id: Annotated[int, PathParam(ge=0, le=MAX_ID)]
) -> InterviewOut:
    """An interview and the answers received so far."""
    state = control.interview_state(request_id)
    if state is None:
        raise HTTPException(404, f"no interview with request id {request_id}")
    return InterviewOut(
        request_id=request_id,
        question=state.request.question,
        user_ids=list(state.request.user_ids),
        status="refused" if state.refused else "answered" if state.answered else "pending",
        answers=[AnswerOut(user_id=u, answer=a) for u, a in sorted(state.answers.items())],
        error=state.refused,
    )


def _desk(control: Controller) -> PeopleDesk:
    desk = control.people()
    if desk is None:
        raise HTTPException(409, "people join only a run whose commands are stored in its database")
    return desk


@router.post("/tokens", response_model=IssuedTokenOut, status_code=201)
def issue_token(control: Control, snap: Snap, body: TokenIn) -> IssuedTokenOut:
    """Issue a participant's token: to take over ``user_id``, or to join as a new user.

    The token is in this answer only; the database keeps its SHA-256 digest.
    """
    if body.user_id is not None:
        known_user(snap, body.user_id)
    row, token = _desk(control).tokens.issue(body.label, body.user_id)
    return IssuedTokenOut(**asdict(row), token=token)


@router.get("/tokens", response_model=list[TokenOut])
def tokens(control: Control) -> list[TokenOut]:
    """Every participant's token issued, oldest first (never the tokens themselves)."""
    return [TokenOut(**asdict(row)) for row in _desk(control).tokens.all()]


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(
    control: Control, token_id: Annotated[int, PathParam(ge=0, le=MAX_ID)]
) -> TokenOut:
    """Revoke a participant's token: refused from the next request on."""
    store = _desk(control).tokens
    if not store.revoke(token_id):
        raise HTTPException(404, f"no participant's token {token_id}")
    return next(TokenOut(**asdict(r)) for r in store.all() if r.token_id == token_id)


@router.post("/launch", response_model=LaunchedOut, status_code=201)
def launch_run(control: Control, request: Request, experiment: dict[str, Any]) -> LaunchedOut:
    """Start an experiment built on the set-up page as a run in a process of its own.

    Only where the API was started with ``--allow-launch`` (403 otherwise); an invalid
    experiment answers 422 with the line ``oasis run`` would print.
    """
    host = request.url.hostname or "127.0.0.1"
    try:
        started = launch(experiment, request.app.state.token, _launch_dir(request), host)
    except OasisError as exc:
        raise HTTPException(422, error_line(exc)) from exc
    return _launched(started)


@router.get("/launch", response_model=list[LaunchedOut])
def launched(control: Control, request: Request) -> list[LaunchedOut]:
    """The runs launched into this API's launch folder, oldest first, running or not."""
    return [_launched(run) for run in launched_runs(_launch_dir(request))]


@router.post("/launch/{name}/stop", response_model=LaunchedOut)
def stop_launched(
    control: Control, request: Request, name: Annotated[str, PathParam(max_length=255)]
) -> LaunchedOut:
    """Stop a launched run as Ctrl-C would: it is marked stopped, ``--resume`` goes on.

    404 for a name that is not a launched run's folder, 409 for one that is not running.
    """
    run = next((r for r in launched_runs(_launch_dir(request)) if r.folder.name == name), None)
    if run is None:
        raise HTTPException(404, f"no launched run {name!r}")
    if not run.running:
        raise HTTPException(409, f"the launched run {name!r} is not running")
    run.stop()
    return _launched(run)


def _launch_dir(request: Request) -> Path:
    folder: Path | None = request.app.state.launch_dir
    if folder is None:
        raise HTTPException(403, "launching is off: start the API with --allow-launch")
    return folder


def _launched(run: Launched) -> LaunchedOut:
    return LaunchedOut(
        name=run.folder.name, pid=run.pid, folder=str(run.folder), url=run.url, running=run.running
    )
