"""Fixtures shared by the whole suite: databases (SQLite and PostgreSQL), one per test, the
scripted LLM server, and the finished herd run that tests only read."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import psycopg
import pytest

from oasis.config import ExperimentConfig
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import acting_reply, finished_herd, herd_experiment

PG_DSN = os.environ.get("OASIS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def sqlite_url(tmp_path: os.PathLike[str]) -> str:
    """A fresh SQLite file."""
    return f"sqlite:///{os.fspath(tmp_path)}/oasis.db"


@contextmanager
def postgres_schema() -> Iterator[str]:
    """The URL of a fresh PostgreSQL schema in database ``test``, dropped on exit."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_DSN}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards."""
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on a fresh SQLite file and on a fresh PostgreSQL schema."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def llm_server() -> Iterator[ScriptedLLMServer]:
    """A scripted LLM that acts on what it is shown (``acting_reply``)."""
    with ScriptedLLMServer(acting_reply) as server:
        yield server


@pytest.fixture(scope="session")
def herd_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExperimentConfig, pd.DataFrame]:
    """``herd_experiment`` run to its end: its config and its herd table (read them only)."""
    config = herd_experiment(tmp_path_factory.mktemp("herd"))
    return config, finished_herd(config)
