"""The command line's top level: a project error is one line on stderr and exit code 2."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

import typer

from oasis.errors import OasisError, error_line

P = ParamSpec("P")


def one_line_errors(command: Callable[P, None]) -> Callable[P, None]:
    """The CLI's top level: an :class:`OasisError` is printed as one line, exit code 2."""

    @functools.wraps(command)
    def checked(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except OasisError as exc:
            typer.echo(error_line(exc), err=True)
            raise typer.Exit(2) from exc

    return checked
