"""People playing users beside the agents: their commands, and who plays which user.

A person holding a participant token joins a running simulation as a new user or takes over an
agent. From the step the join is carried out, no policy decides for that user, and while the
person is present the user gets the recommender's feed at every step, as an active agent would
(logged with the agents' feeds, so a resume or fork replays it). The person's actions come
through the control-command queue: they are applied at the next step boundary among the
agents' in canonical order and validated as an agent's are; each command records its outcome
(a failed action its reason). Away: the user stays the person's but gets no feed and is not
waited for; back: present again; leave: the user goes back to its policy.

What people did is read back from the queue's record (commands done, with their step and
outcome), which is how a resumed run knows who plays whom, and what a fork queues again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from oasis.core.actions import Action, ActionResult, ActionType
from oasis.platform.commands import CommandRow

JOIN, ACT, AWAY, BACK, LEAVE = (
    "person_join", "person_act", "person_away", "person_back", "person_leave",
)  # fmt: skip
KINDS = (JOIN, ACT, AWAY, BACK, LEAVE)


@dataclass(frozen=True, slots=True)
class PersonCommand:
    """One stored command of a person.

    ``user_id`` is ``None`` for a join as a new user, whose ``action`` is then the sign-up;
    an act's ``action`` is the action asked for.
    """

    command_id: int
    kind: str
    user_id: int | None
    action: Action | None = None


def person_command(row: CommandRow) -> PersonCommand:
    """The person's command of a stored row (one of :data:`KINDS`)."""
    p = row.payload
    user = p.get("user_id")
    user_id = None if user is None else int(user)
    action = None
    if row.kind == ACT:
        action = Action(int(p["user_id"]), ActionType(p["action"]), dict(p.get("args") or {}))
    elif row.kind == JOIN and user_id is None:
        profile = {k: str(p[k]) for k in ("user_name", "name", "bio")}
        action = Action(-1, ActionType.SIGN_UP, profile)  # its id is given at the step
    return PersonCommand(row.command_id, row.kind, user_id, action)


def _done(**extra: Any) -> dict[str, Any]:
    return {"ok": True, **extra}


def _refused(reason: str) -> dict[str, Any]:
    return {"ok": False, "reason": reason}


@dataclass(frozen=True, slots=True)
class PeopleTurn:
    """What people do at one step, and who plays which user while it runs.

    ``actions`` go into the step (``commands`` holds the command behind each); ``settled``
    holds the outcomes decided without an action; ``played`` are the users no policy decides
    for at this step, ``present`` those of them that get a feed.
    """

    actions: list[Action] = field(default_factory=list)
    commands: list[int] = field(default_factory=list)
    settled: dict[int, dict[str, Any]] = field(default_factory=dict)
    state: dict[int, bool] = field(default_factory=dict)
    signing_up: dict[int, int] = field(default_factory=dict)

    @property
    def played(self) -> np.ndarray:
        """Users played by people during the step, sorted."""
        return np.array(sorted(self.state), np.int64)

    @property
    def present(self) -> np.ndarray:
        """Users whose person is present during the step (they get a feed), sorted."""
        return np.array(sorted(u for u, here in self.state.items() if here), np.int64)

    def outcomes(self, results: Sequence[ActionResult]) -> dict[int, dict[str, Any]]:
        """Each command's outcome, given the results of :attr:`actions`, by command id."""
        found = dict(self.settled)
        for command_id, action, result in zip(self.commands, self.actions, results, strict=True):
            outcome: dict[str, Any] = {
                "ok": result.ok, "reason": result.reason, "data": dict(result.data),
            }  # fmt: skip
            if command_id in self.signing_up and result.ok:
                outcome["user_id"] = action.agent_id
            found[command_id] = outcome
        return found


class People:
    """Which users people play, and whether each person is present (``True``) or away."""

    def __init__(self) -> None:
        self.state: dict[int, bool] = {}

    def present(self) -> set[int]:
        """Users whose person is present (not away)."""
        return {user for user, here in self.state.items() if here}

    def turn(
        self, commands: Sequence[PersonCommand], next_id: int, users: np.ndarray
    ) -> PeopleTurn:
        """People's commands at a step, in the order given; new users get ids from ``next_id``.

        ``users`` are the users that exist (a take-over names one of them).
        """
        turn = PeopleTurn(state=dict(self.state))
        for command in commands:
            if command.kind == JOIN and command.user_id is None:
                assert command.action is not None
                signed = Action(next_id, ActionType.SIGN_UP, command.action.args)
                turn.signing_up[command.command_id] = next_id
                turn.actions.append(signed)
                turn.commands.append(command.command_id)
                next_id += 1
            else:
                _take(turn, command, users)
        return turn

    def commit(self, turn: PeopleTurn, results: Sequence[ActionResult]) -> None:
        """Take the state after a committed step: new users that signed up are present."""
        self.state = dict(turn.state)
        for command_id, result in zip(turn.commands, results, strict=True):
            if result.ok and command_id in turn.signing_up:
                self.state[turn.signing_up[command_id]] = True

    def restore(self, rows: Sequence[CommandRow]) -> None:
        """Rebuild the state from the commands carried out so far (by step, then id)."""
        self.state = {}
        for row in rows:
            result: Mapping[str, Any] = row.result or {}
            if row.kind == ACT or not result.get("ok"):
                continue
            user = int(result["user_id"] if row.kind == JOIN else row.payload["user_id"])
            _move(self.state, row.kind, user)


def _take(turn: PeopleTurn, command: PersonCommand, users: np.ndarray) -> None:
    """Carry out a take-over, an action, away, back or leave (``turn`` changes)."""
    user, state = command.user_id, turn.state
    assert user is not None
    if command.kind == JOIN:
        if not np.isin(user, users):
            turn.settled[command.command_id] = _refused("unknown_user")
        elif user in state:
            turn.settled[command.command_id] = _refused("already_played")
        else:
            state[user] = True
            turn.settled[command.command_id] = _done(user_id=user)
    elif user not in state:
        turn.settled[command.command_id] = _refused("not_joined")
    elif command.kind == ACT:
        assert command.action is not None
        turn.actions.append(command.action)
        turn.commands.append(command.command_id)
    else:
        _move(state, command.kind, user)
        turn.settled[command.command_id] = _done()


def _move(state: dict[int, bool], kind: str, user: int) -> None:
    """Join, away, back or leave in ``state``."""
    if kind == LEAVE:
        state.pop(user, None)
    else:
        state[user] = kind != AWAY
