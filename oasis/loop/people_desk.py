"""People's side of the control queue: what the API writes for a person, and reads back.

Every command carries the participant token it came with (``token_id``), so a person's own
commands, their outcomes and where the person stands are read from the queue's record alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oasis.loop.people import ACT, AWAY, BACK, JOIN, KINDS, LEAVE
from oasis.platform.commands import PENDING, CommandRow, CommandStore
from oasis.platform.tokens import TokenStore

MOVES = {"away": AWAY, "back": BACK, "leave": LEAVE}


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a person stands.

    ``user_id``: the user they play (``None`` until a new user's join is carried out);
    ``joined``: the join was carried out and the person has not left; ``present``: joined and
    not away; ``joining``: a join waits for the next step.
    """

    user_id: int | None
    joined: bool
    present: bool
    joining: bool


class PeopleDesk:
    """Queue people's commands (each with its token's id) and read what became of them.

    ``tokens``: the participants' tokens, which the operator issues and revokes.
    """

    def __init__(self, store: CommandStore) -> None:
        self.store = store
        self.tokens = TokenStore(store.engine)  # the same database as the commands

    def join(self, token_id: int, user_id: int | None, profile: Mapping[str, str]) -> int:
        """Queue a take-over of ``user_id``, or (``None``) a sign-up with ``profile``."""
        payload = {"token_id": token_id, "user_id": user_id}
        return self.store.put(JOIN, payload | (dict(profile) if user_id is None else {}))

    def act(self, token_id: int, user_id: int, action: str, args: Mapping[str, Any]) -> int:
        """Queue an action of the person playing ``user_id``."""
        payload = {"token_id": token_id, "user_id": user_id, "action": action, "args": args}
        return self.store.put(ACT, payload)

    def move(self, token_id: int, user_id: int, move: str) -> int:
        """Queue ``away``, ``back`` or ``leave`` for the person playing ``user_id``."""
        return self.store.put(MOVES[move], {"token_id": token_id, "user_id": user_id})

    def commands(self, token_id: int) -> list[CommandRow]:
        """The commands given with the token, oldest first, with their outcomes when done."""
        return self.store.of_token(KINDS, token_id)

    def standing(self, token_id: int, user_id: int | None) -> Standing:
        """Where the token's holder stands (``user_id``: the user the token was issued for)."""
        rows = self.commands(token_id)
        done = sorted((r for r in rows if r.step is not None), key=lambda r: (r.step, r.command_id))
        joined = present = False
        for row in done:
            if row.kind == ACT or not (row.result or {}).get("ok"):
                continue
            if row.kind == JOIN:
                user_id = int((row.result or {})["user_id"])
            joined, present = row.kind != LEAVE, row.kind in (JOIN, BACK)
        joining = any(r.kind == JOIN and r.status == PENDING for r in rows)
        return Standing(user_id, joined, present, joining)
