"""Issue #13.9: a second writer of a run's database is refused in one line."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from oasis.config import load_config
from oasis.loop.simulation import Simulation
from oasis.platform.run_lock import DatabaseFileLostError, RunLockedError, RunLockLostError
from tests.conftest import PG_DSN
from tests.factories import experiment
from tests.simulation.test_cli import oasis


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path):
    if request.param == "sqlite":
        return None  # the default: a SQLite file in the output folder
    return request.getfixturevalue("postgres_url")


def test_a_second_writer_is_refused_and_the_first_finishes(tmp_path, database):
    settings = {"steps": 3} if database is None else {"steps": 3, "database": database}
    config = experiment(tmp_path, "locked", **settings)
    with Simulation.open(config) as first:
        first.step()
        with pytest.raises(RunLockedError, match="another oasis process") as refused:
            Simulation.open(config, resume=True)
        assert "\n" not in str(refused.value)
        first.run()
    Simulation.open(config, resume=True).close()  # the lock went with the first writer


def test_a_second_oasis_run_process_gets_one_line(tmp_path, database):
    db = "" if database is None else f"database: '{database}'\n"
    (tmp_path / "exp.yaml").write_text(f"steps: 2\noutput: out\n{db}population: {{n_users: 20}}\n")
    first = oasis("run", "exp.yaml", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    config = load_config(tmp_path / "exp.yaml")
    with Simulation.open(config, resume=True):  # this process writes the run now
        second = oasis("run", "exp.yaml", "--resume", cwd=tmp_path)
    lines = second.stderr.strip().splitlines()
    assert second.returncode == 2 and len(lines) == 1, second.stderr
    assert lines[0].startswith("error: another oasis process")


@pytest.mark.postgres
def test_a_terminated_lock_session_stops_the_run_in_one_line_and_resume_goes_on(
    tmp_path, postgres_url
):
    """Issue #25.4: the lock's session ended silently and the run went on unguarded."""
    config = experiment(tmp_path, "lost", steps=4, database=postgres_url)
    with Simulation.open(config) as first:
        first.step()
        schema = postgres_url.rsplit("%3D", 1)[1]
        with psycopg.connect(PG_DSN, autocommit=True) as admin:
            (holder,) = admin.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = "
                "(hashtextextended('oasis-run:' || %s, 0) & 4294967295)::oid",
                (schema,),
            ).fetchone()
            assert admin.execute("SELECT pg_terminate_backend(%s)", (holder,)).fetchone()[0]
        with pytest.raises(RunLockLostError, match="--resume") as stopped:
            first.run()
        assert "\n" not in str(stopped.value)
        assert first.platform.run_info().last_step == 0  # the step after the loss is not committed
        assert first.platform.run_info().status == "failed"
    with Simulation.open(config, resume=True) as again:
        again.run()
        assert again.platform.run_info().last_step == 3


def test_a_deleted_sqlite_file_stops_the_run_in_one_line(tmp_path):
    """Issue #25.5: deleted under the run, the file took every later step with it, silently."""
    config = experiment(tmp_path, "gone", steps=3)
    with Simulation.open(config) as first:
        first.step()
        Path(config.database_url.removeprefix("sqlite:///")).unlink()
        with pytest.raises(DatabaseFileLostError, match="deleted or replaced") as stopped:
            first.run()
    assert "\n" not in str(stopped.value)
