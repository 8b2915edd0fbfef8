"""``oasis fork`` as a user runs it: a fork's results folder names its parent."""

from __future__ import annotations

import pytest

from tests.simulation.test_cli import oasis

EXP = (
    "name: {name}\nseed: 3\nsteps: 4\noutput: {name}\n"
    "population: {{source: synthetic, n_users: 60}}\n{extra}"
)


@pytest.mark.slow
def test_fork_runs_the_rest_and_refuses_a_new_seed_in_one_line(tmp_path):
    (tmp_path / "base.yaml").write_text(EXP.format(name="base", extra=""))
    (tmp_path / "new.yaml").write_text(EXP.format(name="new", extra="recsys: {kind: random}\n"))
    (tmp_path / "seed.yaml").write_text(
        EXP.format(name="seed", extra="seed: 4\n").replace("seed: 3\n", "")
    )
    assert oasis("run", "base.yaml", cwd=tmp_path).returncode == 0
    done = oasis(
        "fork", "base", "--at-step", "1", "--config", "new.yaml", "--out", "child", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    summary = (tmp_path / "child" / "summary.md").read_text()
    assert f"Forked from `{tmp_path / 'base'}` after step 1." in summary
    refused = oasis("fork", "base", "--at-step", "1", "--config", "seed.yaml", cwd=tmp_path)
    assert refused.returncode == 2
    assert "a fork may not change seed" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
