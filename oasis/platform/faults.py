"""A failed database in one line: which database, and what it said.

Each method of the platform's stores that touches the database raises :class:`PlatformError`
when the database fails (a dropped connection, a terminated backend, a full disk), never
SQLAlchemy's error with its statement, parameters and link over many lines: the command line
prints it as one line and the run is marked failed, the API answers 503.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from oasis.platform.engine import first_line
from oasis.platform.errors import PlatformError


class _OverAnEngine(Protocol):
    engine: Engine


P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound=_OverAnEngine)


def failure(engine: Engine, exc: SQLAlchemyError) -> PlatformError:
    """``exc`` as one line naming the database; a lost connection is said to be one."""
    url = engine.url.set(drivername=engine.url.get_backend_name())  # as the user wrote it
    shown, said = url.render_as_string(hide_password=True), first_line(exc)
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return PlatformError(f"database {shown}: the connection was lost ({said})")
    return PlatformError(f"database {shown}: {said}")


def in_one_line(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """``method`` of a store over ``self.engine``, its database failures as :func:`failure`."""

    @functools.wraps(method)
    def guarded(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except SQLAlchemyError as exc:
            raise failure(self.engine, exc) from exc

    return guarded
