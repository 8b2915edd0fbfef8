"""Scheduled events: seed posts, agents joining and interviews, by step."""

from __future__ import annotations

from collections.abc import Sequence

from oasis.core.actions import Action, ActionType
from oasis.core.clock import Clock
from oasis.datasets.population import ScheduledPost
from oasis.loop.events import Interview, StepEvents, World
from oasis.loop.settings import EventSettings


class Schedule:
    """What happens at each step besides the agents' own decisions."""

    def __init__(
        self, clock: Clock, posts: Sequence[ScheduledPost], events: Sequence[EventSettings]
    ) -> None:
        self.clock = clock
        self.posts = posts
        self.events = events

    def due(self, step: int, world: World) -> StepEvents:
        """Seed posts, sign-ups and interviews due at ``step`` (an event source)."""
        return StepEvents(self.actions(step), self.interviews(step))

    def step_of(self, post: ScheduledPost) -> int:
        """The step a seed post falls in: before the start counts as step 0."""
        if post.time is None:
            return 0
        minutes = (post.time - self.clock.start).total_seconds() / 60.0
        return max(0, int(minutes // self.clock.minutes_per_step))

    def created_at(self, post: ScheduledPost) -> float:
        """The simulated time (POSIX seconds) a seed post is created at: its step's start."""
        return self.clock.seconds(self.step_of(post))

    def actions(self, step: int) -> list[Action]:
        """Seed posts and sign-ups due at ``step``."""
        due = [
            Action(p.author_id, ActionType.CREATE_POST, {"content": p.content})
            for p in self.posts
            if self.step_of(p) == step
        ]
        for e in self.events:
            if e.step == step and e.kind == "post":
                assert e.user_id is not None
                due.append(Action(e.user_id, ActionType.CREATE_POST, {"content": e.content}))
            elif e.step == step and e.kind == "sign_up":
                assert e.user_id is not None
                args = {"user_name": e.user_name, "name": e.name, "bio": e.bio}
                due.append(Action(e.user_id, ActionType.SIGN_UP, args))
        return due

    def interviews(self, step: int) -> list[Interview]:
        """Interviews due at ``step``."""
        due = []
        for e in self.events:
            repeats = e.every is not None and step > e.step and (step - e.step) % e.every == 0
            if e.kind == "interview" and (step == e.step or repeats):
                assert e.question is not None
                due.append(Interview(e.question, e.user_ids))
        return due
