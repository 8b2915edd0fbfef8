"""Participants' tokens: issued by the operator, stored as digests, checked on every request.

A token lets one person play one user through the API. The token itself is shown once, when it
is issued; the database keeps its SHA-256 digest (a random 256-bit token needs no slow hash), so
a copy of the database gives no one a usable token. Revoking sets a flag that the next request
reads: a revoked token stops at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from oasis.platform.faults import in_one_line
from oasis.platform.schema import ParticipantToken

PREFIX = "oasis-p-"  # tells a participant's token from the operator's at a glance


@dataclass(frozen=True, slots=True)
class TokenRow:
    """A participant's token as stored (never the token itself); ``user_id`` None: a new user."""

    token_id: int
    label: str
    user_id: int | None
    revoked: bool


def digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """Issue, look up, bind and revoke participants' tokens over an engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @in_one_line
    def issue(self, label: str = "", user_id: int | None = None) -> tuple[TokenRow, str]:
        """A new token for one person (to play ``user_id``, or a new user); the token, once."""
        token = PREFIX + secrets.token_urlsafe(32)
        values = {"digest": digest(token), "label": label, "user_id": user_id, "revoked": False}
        with self.engine.begin() as conn:
            key = conn.execute(insert(ParticipantToken).values(values)).inserted_primary_key
        assert key is not None
        return TokenRow(int(key[0]), label, user_id, False), token

    @in_one_line
    def find(self, token: str) -> TokenRow | None:
        """The stored row of ``token``, revoked or not; ``None`` for an unknown token."""
        query = select(*_COLUMNS).where(ParticipantToken.digest == digest(token))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else TokenRow(*row)

    @in_one_line
    def all(self) -> list[TokenRow]:
        """Every token issued, oldest first."""
        query = select(*_COLUMNS).order_by(ParticipantToken.token_id)
        with self.engine.connect() as conn:
            return [TokenRow(*row) for row in conn.execute(query)]

    @in_one_line
    def revoke(self, token_id: int) -> bool:
        """Refuse the token from now on; ``False`` if no such token was issued."""
        statement = update(ParticipantToken).where(ParticipantToken.token_id == token_id)
        with self.engine.begin() as conn:
            return conn.execute(statement.values(revoked=True)).rowcount > 0


_COLUMNS = (
    ParticipantToken.token_id,
    ParticipantToken.label,
    ParticipantToken.user_id,
    ParticipantToken.revoked,
)
