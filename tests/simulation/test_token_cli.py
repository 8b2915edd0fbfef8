"""``oasis token``: the operator issues, lists and revokes participants' tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from oasis.loop.simulation import Simulation
from oasis.platform import Platform
from oasis.platform.tokens import digest
from tests.factories import experiment
from tests.simulation.test_cli import oasis


@pytest.mark.slow
def test_tokens_are_issued_once_stored_as_digests_and_revoked(tmp_path):
    config = experiment(tmp_path, "tokens", steps=1)
    with Simulation.open(config) as simulation:
        simulation.run()
    db = ["--db", config.database_url]
    issued = oasis("token", "issue", *db, "--user", "7", "--label", "ana", cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    line, token = issued.stdout.split()[:5], issued.stdout.split()[-1]
    assert " ".join(line) == "token 1: user 7 ana" and token.startswith("oasis-p-")
    assert oasis("token", "issue", *db, cwd=tmp_path).stdout.startswith("token 2: a new user")
    platform = Platform.open(config.database_url)
    rows = platform.dump()  # bookkeeping: not part of the world
    stored = platform.tokens().find(token)
    assert "participant_token" not in rows and stored is not None and not stored.revoked
    with platform.engine.connect() as conn:
        kept = conn.execute(text("SELECT digest FROM participant_token")).scalars().all()
    assert digest(token) in kept and token not in kept  # only the digest is kept
    assert oasis("token", "revoke", "1", *db, cwd=tmp_path).stdout.strip() == "token 1 revoked"
    assert platform.tokens().find(token).revoked
    platform.close()
    listed = oasis("token", "list", *db, cwd=tmp_path).stdout.splitlines()
    assert listed == ["token 1: user 7 (revoked) ana", "token 2: a new user"]
    missing = oasis("token", "revoke", "9", *db, cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.strip() == "error: no token 9 was issued"
    nowhere = oasis("token", "list", "--db", f"sqlite:///{tmp_path}/none.db", cwd=tmp_path)
    assert nowhere.returncode == 2 and nowhere.stderr.startswith("error: no database at")
