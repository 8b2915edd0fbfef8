"""The base of every section of the experiment file: frozen once loaded, unknown keys refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A settings section: immutable, and a key it does not know is an error, not ignored.

    A misspelt key would otherwise leave its setting at the default without a word.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
