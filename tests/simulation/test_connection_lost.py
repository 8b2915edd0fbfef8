"""Issue #25.5: a run whose database connection drops mid-query stops in one line, marked failed;
what it committed stays, and ``--resume`` ends it with the world of an uninterrupted run.

The connection is dropped in a step's query and in the read of control commands between
steps (which printed a 251-line traceback and left the run marked ``running``). PostgreSQL
only: a SQLite file has no connection to lose, and an open file deleted or made unreadable
stays readable to the run that has it open.
"""

from __future__ import annotations

import pytest

from oasis.config import load_config
from oasis.loop.simulation import Simulation
from oasis.platform import Platform
from tests.conftest import postgres_schema
from tests.simulation.dropped_connection import ConnectionDrop
from tests.simulation.test_cli import oasis

pytestmark = pytest.mark.postgres
EXPERIMENT = (
    "name: dropped\nseed: 4\nsteps: 12\noutput: {output}\ndatabase: '{database}'\n"
    "population: {{source: synthetic, n_users: 30}}\n"
    "activation: {{kind: uniform, views_per_hour: 0.5}}\n"
)


def uninterrupted(tmp_path, database):
    path = tmp_path / "whole.yaml"
    path.write_text(EXPERIMENT.format(output="whole", database=database))
    with Simulation.open(load_config(path)) as whole:
        whole.run()
        return whole.platform.dump()


@pytest.mark.slow
@pytest.mark.parametrize("table", ["run", "control_command"])
def test_a_dropped_connection_stops_the_run_in_one_line_and_resume_ends_it(
    tmp_path, postgres_url, table
):
    drop = ConnectionDrop(postgres_url, table)
    (tmp_path / "exp.yaml").write_text(EXPERIMENT.format(output="out", database=drop.url))
    drop.start()
    stopped = oasis("run", "exp.yaml", cwd=tmp_path)
    drop.join(timeout=60)
    assert drop.dropped, "the run ended before its connection was dropped"
    errors = [line for line in stopped.stderr.splitlines() if line.startswith("error: ")]
    assert stopped.returncode == 2 and "Traceback" not in stopped.stderr, stopped.stderr
    assert len(errors) == 1 and len(stopped.stderr.strip().splitlines()) <= 2, stopped.stderr
    assert "the connection was lost" in errors[0] and "--resume" in errors[0]
    assert read(postgres_url)[0] == ("failed", drop.committed)
    assert drop.committed >= 1

    resumed = oasis("run", "exp.yaml", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    (status, last), world = read(postgres_url)
    assert (status, last) == ("finished", 11)
    with postgres_schema() as other:
        assert world == uninterrupted(tmp_path, other)


def read(url):
    """The run's status and last step, and its world's rows."""
    platform = Platform.open(url, read_only=True)
    try:
        info = platform.run_info()
        return (info.status, info.last_step), platform.dump()
    finally:
        platform.close()
