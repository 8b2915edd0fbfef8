"""A step is one transaction: the loop's own state moves on only once the step has committed."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

import oasis.platform.step
from oasis.agents.memory import memory_from_dict
from oasis.loop.simulation import Simulation
from oasis.platform import PlatformError
from tests.factories import experiment


def test_a_step_that_fails_to_commit_leaves_the_memories_as_the_database_has_them(
    tmp_path, llm_server, monkeypatch
):
    llm = {"endpoints": [llm_server.base_url], "model": "scripted"}
    with Simulation.open(experiment(tmp_path, "fails", llm=llm)) as simulation:
        simulation.step()
        before = dict(simulation.memories)
        assert before

        def disk_full(*args: object) -> None:
            raise OperationalError("INSERT INTO feed_log", {}, Exception("disk full"))

        monkeypatch.setattr(oasis.platform.step, "write_feeds", disk_full)
        with pytest.raises(PlatformError, match="rolled back"):
            simulation.step()
        assert simulation.memories == before
        assert simulation.next_step == 1
        assert simulation.platform.run_info().last_step == 0
        with simulation.platform.reader() as reader:
            saved = reader.memories(sorted(before))
        assert {u: memory_from_dict(m) for u, m in saved.items()} == before
