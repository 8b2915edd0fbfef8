from __future__ import annotations

from collections.abc import Iterator

import pytest

from oasis.core.actions import Action, ActionType
from oasis.platform import Platform, PlatformSettings

USERS = (1, 2, 3, 4)


def signups(*ids: int) -> list[Action]:
    return [
        Action(
            i, ActionType.SIGN_UP, {"user_name": f"user{i}", "name": f"User {i}", "bio": f"bio {i}"}
        )
        for i in ids
    ]


class World:
    """A platform with users 1-4 signed up at step 0, stepping forward on each ``act``."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.step = 0
        platform.apply(0, signups(*USERS))

    def act(self, *actions: Action):
        self.step += 1
        return self.platform.apply(self.step, list(actions))

    def one(self, agent_id: int, kind: ActionType, **args: object):
        (result,) = self.act(Action(agent_id, kind, args))
        return result

    def post(self, agent_id: int, content: str = "hello") -> int:
        result = self.one(agent_id, ActionType.CREATE_POST, content=content)
        assert result.ok
        return int(result.data["post_id"])

    def table(self, name: str) -> list[tuple]:
        return self.platform.dump()[name]


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    platform = Platform.open(db_url)
    yield World(platform)
    assert platform.counter_mismatches() == []
    platform.close()


@pytest.fixture
def strict_world(db_url: str) -> Iterator[World]:
    platform = Platform.open(db_url, PlatformSettings(allow_self_rating=False, report_threshold=2))
    yield World(platform)
    platform.close()
