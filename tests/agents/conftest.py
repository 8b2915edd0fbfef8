from __future__ import annotations

import pytest

from oasis.agents.memory import AgentMemory, MemoryEntry
from oasis.agents.observation import CommentView, Observation, PostView
from oasis.agents.policy import AgentContext
from oasis.agents.profile import Profile
from oasis.core.actions import ActionType

ALLOWED = (
    ActionType.CREATE_POST,
    ActionType.LIKE_POST,
    ActionType.REPOST,
    ActionType.QUOTE_POST,
    ActionType.CREATE_COMMENT,
    ActionType.FOLLOW,
    ActionType.DO_NOTHING,
)


def make_profile(agent_id: int) -> Profile:
    return Profile(
        agent_id,
        f"user{agent_id}",
        f"User {agent_id}",
        f"bio of {agent_id}",
        persona="curious",
        interests=("science", "music"),
    )


def make_observation(agent_id: int, step: int = 3) -> Observation:
    comment = CommentView(70, 4, "so true", likes=2)
    posts = (
        PostView(11, 2, "user2", "the sky is green", 1, likes=5, comments=(comment,), flagged=True),
        PostView(12, 3, "user3", "the sky is green", 2, shares=1, original_post_id=11),
        PostView(
            13,
            5,
            "user5",
            "my take",
            2,
            likes=3,
            original_post_id=10,
            quoted_content="original text",
            original_author_id=6,
            original_author_name="user6",
            liked=True,
        ),
    )
    return Observation(
        agent_id,
        step,
        "day 1, 09:00",
        feed=posts,
        followers=7,
        following=3,
        notifications=("user 9 liked your post 4",),
        group_messages=("group 1, user 2: hello",),
    )


def make_context(agent_id: int, step: int = 3) -> AgentContext:
    memory = AgentMemory((MemoryEntry(step - 1, "like_post(post_id=4)", "ok"),), "step 2: 1 post")
    return AgentContext(make_profile(agent_id), memory, make_observation(agent_id, step))


@pytest.fixture
def contexts() -> list[AgentContext]:
    return [make_context(i) for i in range(6)]
