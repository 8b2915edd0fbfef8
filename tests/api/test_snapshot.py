"""The API's read transaction is a snapshot: a step committed meanwhile stays invisible to it."""

from __future__ import annotations

from oasis.actions import Action, ActionType
from oasis.platform import Platform
from oasis.platform.queries import snapshot


def test_a_snapshot_does_not_see_steps_committed_during_it(db_url: str):
    writer = Platform.open(db_url)
    writer.start_run(seed=1, config={})
    writer.apply(0, [Action(1, ActionType.SIGN_UP, {"user_name": "a", "name": "A"})])
    reader = Platform.open(db_url, read_only=True)
    try:
        with snapshot(reader) as snap:
            assert snap.run.run()["last_step"] == 0
            writer.apply(1, [Action(1, ActionType.CREATE_POST, {"content": "new"})])
            assert snap.run.step_count() == 1
            assert snap.posts.search("new", 10, 0) == []
        with snapshot(reader) as snap:
            assert (snap.run.run()["last_step"], snap.run.step_count()) == (1, 2)
    finally:
        reader.close()
        writer.close()
