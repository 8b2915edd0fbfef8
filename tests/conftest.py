"""Fixtures shared by the whole suite: databases (SQLite and PostgreSQL), one per test, the
scripted LLM server, and the finished herd run that tests only read."""

# ruff: noqa: E402 (the thread counts below are set before the imports that load numpy)

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

# One BLAS and OpenMP thread in each test process and in the processes it starts: the suite runs
# in two pytest-xdist workers on two cores, and a BLAS or OpenMP pool's idle threads busy-wait
# after every call (see oasis/recsys/who_to_follow.py), taking the core the other worker needs.
# Set before numpy, scipy or faiss load their thread pools.
for _threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import pandas as pd
import psycopg
import pytest

from oasis.config import ExperimentConfig
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import acting_reply, finished_herd, herd_experiment

PG_DSN = os.environ.get("OASIS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


WORKERS = 2  # the project's machines have two cores


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Run the suite in ``WORKERS`` pytest-xdist workers, a module's tests on one worker in
    collection order (``-n 2 --dist loadfile --no-loadscope-reorder``), unless the command line
    says how many (``-n 0``: one process), xdist is off (``-p no:xdist``) or ``--pdb`` is on."""
    option = config.option
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return  # xdist is off, or this is one of the workers (each would start workers again)
    if option.numprocesses is not None or option.usepdb:
        return
    option.numprocesses = WORKERS
    if option.dist == "no":
        option.dist = "loadfile"
        option.loadscopereorder = False


def pytest_configure(config: pytest.Config) -> None:
    """Give each test process a Ray temp folder of its own (``RAY_TMPDIR``, inherited by the
    processes it starts): ``ray.init()`` joins the cluster whose address the last ``ray start``
    or two-node test cluster wrote into that folder, so a worker's Ray tests never join another
    worker's cluster, nor a Ray someone else started on the machine."""
    folder = tempfile.mkdtemp(prefix="oasis-ray-")  # short: Ray's socket paths live under it
    os.environ["RAY_TMPDIR"] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the modules that hold a test marked ``slow`` first (in their own order, each module's
    tests together): pytest-xdist hands out modules in this order, so the long ones start at
    once instead of ending the run on one worker while the other waits."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


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
