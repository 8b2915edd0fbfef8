"""Bodies of people's routes, of the operator's participant tokens and of launched runs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from oasis.api.schemas import MAX_TEXT, Bio, Id, Name
from oasis.core.actions import ActionType

# What a person may do: everything an agent may, but signing up (a person joins instead) and
# answering interviews (the operator asks agents).
PERSON_ACTIONS = tuple(a for a in ActionType if a not in (ActionType.SIGN_UP, ActionType.INTERVIEW))


class TokenIn(BaseModel):
    """A participant's token to issue: for taking over ``user_id``, or (none) for a new user."""

    model_config = ConfigDict(extra="forbid")
    label: str = Field(default="", max_length=255, description="who holds it, for the operator")
    user_id: Id | None = Field(default=None, description="the agent its holder takes over")


class TokenOut(BaseModel):
    """A participant's token as stored (never the token itself)."""

    token_id: int
    label: str
    user_id: int | None
    revoked: bool


class IssuedTokenOut(TokenOut):
    """A token just issued: ``token`` is shown this once (only its digest is stored)."""

    token: str


class JoinIn(BaseModel):
    """A join: a new user's profile, or nothing for a token issued to take over an agent."""

    model_config = ConfigDict(extra="forbid")
    user_name: Name | None = None
    name: Name | None = None
    bio: Bio = ""


class PersonActionIn(BaseModel):
    """One action of the person, as an agent would take it (``args`` as in the action space)."""

    model_config = ConfigDict(extra="forbid")
    action: ActionType
    args: dict[str, int | float | str] = Field(default_factory=dict, max_length=4)

    @field_validator("action")
    @classmethod
    def _a_persons(cls, action: ActionType) -> ActionType:
        if action not in PERSON_ACTIONS:
            raise ValueError(f"a person cannot {action.value}: join instead, or ask the operator")
        return action

    @field_validator("args")
    @classmethod
    def _bounded(cls, args: dict[str, Any]) -> dict[str, Any]:
        for name, value in args.items():
            if isinstance(value, str) and (len(value) > MAX_TEXT or "\x00" in value):
                raise ValueError(f"{name}: at most {MAX_TEXT:,} characters, no NUL")
        return args


class StandingOut(BaseModel):
    """Where the token's holder stands, and the run's last committed step."""

    token_id: int
    label: str
    user_id: int | None = Field(description="the user played (null until a new user joins)")
    joined: bool
    present: bool
    joining: bool = Field(description="a join waits for the next step")
    step: int = Field(description="the last committed step")


class PersonCommandOut(BaseModel):
    """One of the person's commands and, once its step committed, what became of it."""

    command_id: int
    kind: str
    status: str
    step: int | None
    payload: dict[str, Any]
    result: dict[str, Any] | None


class LaunchedOut(BaseModel):
    """A run started from the set-up page, and whether its process is still running."""

    name: str
    pid: int
    folder: str
    url: str
    running: bool
