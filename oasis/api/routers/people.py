"""People in the simulation: a participant's token joins it as one user and acts as that user.

Every route needs a participant's token (issued by the operator, see ``/control/tokens`` and
``oasis token``): 401 without one, or with one unknown or revoked; a route about another user
than the token's answers 403. Commands go into the run's control queue and are carried out at
the next step; their outcomes are listed at ``/people/me/commands``. The person reads
the world through the same read routes as everyone (``/users/{id}/feed`` is their timeline).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from oasis.api.dependencies import Snap, known_user, last_step, run_record
from oasis.api.people_schemas import JoinIn, PersonActionIn, PersonCommandOut, StandingOut
from oasis.api.schemas import MAX_ID, AcceptedOut, ErrorOut
from oasis.loop.commands import Controller
from oasis.loop.people_desk import PeopleDesk, Standing
from oasis.platform.tokens import TokenRow

router = APIRouter(
    prefix="/people",
    tags=["people"],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        409: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)
UserId = Annotated[int, Path(ge=0, le=MAX_ID)]
_bearer = HTTPBearer(
    auto_error=False, scheme_name="participant", description="a participant's token"
)


def people_desk(request: Request) -> PeopleDesk:
    """The run's people desk (409 where the run's commands are not stored in its database)."""
    controller: Controller | None = request.app.state.controller
    desk = None if controller is None else controller.people()
    if desk is None:
        raise HTTPException(409, "people join only a run whose commands are stored in its database")
    return desk


@dataclass(frozen=True, slots=True)
class Person:
    """The holder of a participant's token, with the desk their commands go through."""

    token: TokenRow
    desk: PeopleDesk

    def standing(self) -> Standing:
        """Where they stand now."""
        return self.desk.standing(self.token.token_id, self.token.user_id)


def _person(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Person:
    desk = people_desk(request)
    row = desk.tokens.find(credentials.credentials) if credentials else None
    if row is None or row.revoked:
        why = "revoked" if row is not None else "needed"
        raise HTTPException(
            401,
            f"a participant's token (issued by the operator) is {why}",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Person(row, desk)


Participant = Annotated[Person, Depends(_person)]


def _open(snap: Snap) -> None:
    if run_record(snap)["status"] == "finished":
        raise HTTPException(409, "the run has finished; it takes no more actions")


def _playing(person: Person, user_id: int) -> Standing:
    """The person's standing, when ``user_id`` is the user they play and they have joined."""
    standing = person.standing()
    if standing.user_id != user_id:
        raise HTTPException(403, f"this token does not play user {user_id}")
    if not standing.joined:
        raise HTTPException(409, "join first (POST /people/join)")
    return standing


@router.get("/me", response_model=StandingOut)
def me(person: Participant, snap: Snap) -> StandingOut:
    """Where the token's holder stands: the user they play, joined, present or away."""
    standing = person.standing()
    return StandingOut(
        token_id=person.token.token_id,
        label=person.token.label,
        step=last_step(snap),
        **{k: getattr(standing, k) for k in ("user_id", "joined", "present", "joining")},
    )


@router.get("/me/commands", response_model=list[PersonCommandOut])
def commands(person: Participant) -> list[PersonCommandOut]:
    """The person's last 200 commands, newest first, each with its outcome once carried out."""
    rows = person.desk.commands(person.token.token_id)[::-1][:200]
    return [PersonCommandOut.model_validate(r, from_attributes=True) for r in rows]


@router.post("/join", response_model=AcceptedOut, status_code=202)
def join(person: Participant, snap: Snap, body: JoinIn) -> AcceptedOut:
    """Join at the next step: take over the token's agent, or sign up with the profile given."""
    _open(snap)
    standing, token = person.standing(), person.token
    if standing.joined or standing.joining:
        raise HTTPException(409, "this token has joined already")
    if token.user_id is not None:
        known_user(snap, token.user_id)
        return AcceptedOut(command_id=person.desk.join(token.token_id, token.user_id, {}))
    if body.user_name is None or body.name is None:
        raise HTTPException(422, "a new user needs a user_name and a name")
    if snap.users.name_taken(body.user_name):
        raise HTTPException(409, f"user name {body.user_name!r} is taken")
    profile = {"user_name": body.user_name, "name": body.name, "bio": body.bio}
    return AcceptedOut(command_id=person.desk.join(token.token_id, None, profile))


@router.post("/{user_id}/actions", response_model=AcceptedOut, status_code=202)
def act(person: Participant, snap: Snap, user_id: UserId, body: PersonActionIn) -> AcceptedOut:
    """Take an action as the user played, at the next step (validated then, as an agent's)."""
    _open(snap)
    _playing(person, user_id)
    token_id = person.token.token_id
    return AcceptedOut(command_id=person.desk.act(token_id, user_id, body.action, body.args))


@router.post("/{user_id}/{move}", response_model=AcceptedOut, status_code=202)
def move(
    person: Participant, snap: Snap, user_id: UserId, move: Literal["away", "back", "leave"]
) -> AcceptedOut:
    """Step away (no feed, not waited for), come back, or leave (the agent plays on)."""
    _open(snap)
    _playing(person, user_id)
    return AcceptedOut(command_id=person.desk.move(person.token.token_id, user_id, move))
