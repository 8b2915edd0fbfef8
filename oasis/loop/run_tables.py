"""A finished or running run, read as DataFrames: ``oasis.open_run(path_or_url)``.

Reads go through the platform's reader in one transaction per call, so a run that is still
going is seen as its last committed step.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import networkx as nx
import numpy as np
import pandas as pd

from oasis.analysis.graphs import cascade_digraph, follow_digraph
from oasis.config import database_from_env
from oasis.core.redaction import SECRET, redact_url
from oasis.errors import RunError
from oasis.loop.opening import RUN_FILE
from oasis.platform import Platform
from oasis.platform.schema import Post, StepMetrics, Trace, User

DATABASE_FILE = "oasis.db"


def database_url(path_or_url: str | Path) -> str:
    """A database URL from a URL, a SQLite file, or a results folder.

    A results folder holds its database as ``oasis.db`` (read there, so a moved folder still
    opens), or names it in ``run.json`` (a PostgreSQL run's, or one set apart with ``database``).
    ``run.json`` keeps no password: the one of ``OASIS_DATABASE_URL`` is used when that URL
    names the same database.

    Raises:
        FileNotFoundError: no run database there.
        RunError: ``run.json`` names a database whose password it does not keep, and
            ``OASIS_DATABASE_URL`` does not name that database.
    """
    text = str(path_or_url)
    if "://" in text:
        return text
    path = Path(text)
    named = path / RUN_FILE
    if named.is_file() and not (path / DATABASE_FILE).exists():
        return _with_password(str(json.loads(named.read_text())["database_url"]))
    if path.is_dir():
        path = path / DATABASE_FILE
    if not path.exists():
        raise FileNotFoundError(f"no run database at {path}")
    return f"sqlite:///{path.resolve()}"


def _with_password(stored: str) -> str:
    """``stored`` (as ``run.json`` keeps it) with the password ``OASIS_DATABASE_URL`` gives it."""
    if urlsplit(stored).password != SECRET:
        return stored  # it had no password to take out
    given = database_from_env()
    if given and redact_url(given) == stored:
        return given
    raise RunError(
        f"run.json names {stored} without its password: set OASIS_DATABASE_URL to that "
        "database's URL, or give the URL instead of the folder"
    )


class RunTables:
    """The tables of one run as DataFrames, and its graphs through networkx."""

    def __init__(self, path_or_url: str | Path) -> None:
        self.url = database_url(path_or_url)
        self.platform = Platform.open(self.url, read_only=True)
        try:
            self.platform.check_readable()  # one line for a file that is not a run's database
        except BaseException:
            self.platform.close()
            raise

    def __enter__(self) -> RunTables:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.platform.close()

    def users(self) -> pd.DataFrame:
        """One row per user with its profile and follower counts."""
        with self.platform.reader() as reader:
            return reader.table(User)

    def follows(self, until_step: int | None = None) -> pd.DataFrame:
        """The follows standing now (``follower_id``, ``followee_id``), optionally by a step."""
        pairs = self.follow_pairs(until_step)
        return pd.DataFrame({"follower_id": pairs[:, 0], "followee_id": pairs[:, 1]})

    def follow_pairs(self, until_step: int | None = None) -> np.ndarray:
        """The follows as an ``(m, 2)`` int64 array."""
        with self.platform.reader() as reader:
            return reader.follow_pairs(until_step)

    def posts(self) -> pd.DataFrame:
        """Every post, share and quote."""
        with self.platform.reader() as reader:
            return reader.table(Post)

    def traces(self, actor: str | None = None) -> pd.DataFrame:
        """Every action taken, with its arguments, outcome, result and who took it (``actor``).

        Args:
            actor: only the actions of this kind of actor (``event``, ``heuristic``, ``llm``,
                ``custom`` or ``person``; see :class:`oasis.core.actions.Actor`).
        """
        with self.platform.reader() as reader:
            return reader.table(Trace, None if actor is None else Trace.actor == actor)

    def metrics(self) -> pd.DataFrame:
        """One row per committed step with its figures flattened into columns."""
        with self.platform.reader() as reader:
            table = reader.table(StepMetrics).sort_values("step")
        figures = pd.json_normalize(table["metrics"].tolist())
        return pd.concat([table.drop(columns="metrics").reset_index(drop=True), figures], axis=1)

    def follow_graph(
        self,
        until_step: int | None = None,
        user_ids: np.ndarray | None = None,
        k_core: int | None = None,
    ) -> nx.DiGraph:
        """The follow graph as a networkx DiGraph (user columns as node attributes)."""
        users = self.users()
        if user_ids is not None:
            users = users[users["user_id"].isin(user_ids)]
        return follow_digraph(self.follow_pairs(until_step), users, k_core)

    def cascade_graph(self, root_post_id: int) -> nx.DiGraph:
        """One post's cascade tree as a networkx DiGraph."""
        return cascade_digraph(self.posts(), root_post_id)


def open_run(path_or_url: str | Path) -> RunTables:
    """Open a run (results folder, SQLite file or database URL) to read it as DataFrames."""
    return RunTables(path_or_url)
