"""Issue #25.5: results that cannot be written (a full disk) are one line, not a traceback; the
run's database is whole, and ``--resume`` writes the results again without simulating anything.

A file of the results folder linked to ``/dev/full`` fails every write with ENOSPC, as a full
disk does (a real 64 KiB tmpfs printed a 284-line traceback from the activity plot).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from oasis.cli import app
from oasis.platform import Platform

EXPERIMENT = "steps: 2\noutput: out\npopulation: {n_users: 20}\n"


def world(folder):
    platform = Platform.open(f"sqlite:///{folder / 'out' / 'oasis.db'}", read_only=True)
    try:
        return platform.run_info(), platform.counter_mismatches(), platform.dump()
    finally:
        platform.close()


@pytest.mark.parametrize("name", ["traces.parquet", "activity.png", "summary.md"])
def test_a_full_disk_for_the_results_is_one_line_and_resume_writes_them(
    tmp_path, monkeypatch, name
):
    (tmp_path / "exp.yaml").write_text(EXPERIMENT)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / name).symlink_to("/dev/full")
    monkeypatch.chdir(tmp_path)
    failed = CliRunner().invoke(app, ["run", "exp.yaml"])
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error: ")]
    assert failed.exit_code == 2 and len(errors) == 1, failed.output
    assert "Traceback" not in failed.output
    assert f"cannot write in {tmp_path / 'out'}" in errors[0]
    assert "No space left on device" in errors[0] and "--resume" in errors[0]
    info, mismatches, kept = world(tmp_path)
    assert (info.status, info.last_step, mismatches) == ("finished", 1, [])

    (tmp_path / "out" / name).unlink()
    again = CliRunner().invoke(app, ["run", "exp.yaml", "--resume"])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "out" / name).stat().st_size > 0
    assert "## " in (tmp_path / "out" / "summary.md").read_text()
    assert world(tmp_path)[2] == kept  # written again, not simulated again
