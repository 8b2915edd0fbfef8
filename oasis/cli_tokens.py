"""``oasis token``: the operator issues, lists and revokes participants' tokens.

A participant's token lets one person play one user of a run through the API and the dashboard
(``/people/...``), and nothing else. The token is printed once, when issued; the run's database
keeps its SHA-256 digest. The API's ``/control/tokens`` routes do the same with the operator's
token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oasis.cli_errors import one_line_errors
from oasis.config import database_from_env
from oasis.errors import OasisError
from oasis.platform import Platform
from oasis.platform.tokens import TokenRow, TokenStore

token_app = typer.Typer(
    help="Participants' tokens: let people join a run as a user.", no_args_is_help=True
)
Db = Annotated[
    str | None,
    typer.Option(help="Database URL of the run (default: $OASIS_DATABASE_URL)."),
]


def _store(db: str | None) -> tuple[Platform, TokenStore]:
    url = db or database_from_env()
    if url is None:
        raise OasisError("--db: give the run's database URL (or set OASIS_DATABASE_URL)")
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise OasisError(f"no database at {url}")
    platform = Platform.open(url)
    return platform, platform.tokens()


def _line(row: TokenRow) -> str:
    user = "a new user" if row.user_id is None else f"user {row.user_id}"
    revoked = " (revoked)" if row.revoked else ""
    return f"token {row.token_id}: {user}{revoked} {row.label}".rstrip()


@token_app.command("issue")
@one_line_errors
def issue(
    db: Db = None,
    user: Annotated[
        int | None, typer.Option(help="The agent its holder takes over (default: a new user).")
    ] = None,
    label: Annotated[str, typer.Option(help="Who holds it, for your own list.")] = "",
) -> None:
    """Issue a token and print it (only once: the database keeps its digest)."""
    platform, store = _store(db)
    try:
        row, token = store.issue(label, user)
    finally:
        platform.close()
    typer.echo(f"{_line(row)}\n{token}")


@token_app.command("list")
@one_line_errors
def list_tokens(db: Db = None) -> None:
    """List the tokens issued (never the tokens themselves)."""
    platform, store = _store(db)
    try:
        rows = store.all()
    finally:
        platform.close()
    typer.echo("\n".join(_line(row) for row in rows) or "no tokens issued")


@token_app.command("revoke")
@one_line_errors
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's number.")], db: Db = None
) -> None:
    """Revoke a token: refused from its holder's next request on."""
    platform, store = _store(db)
    try:
        found = store.revoke(token_id)
    finally:
        platform.close()
    if not found:
        raise OasisError(f"no token {token_id} was issued")
    typer.echo(f"token {token_id} revoked")
