"""Simulated time and who is active when, in simulated time whatever the step's length.

A step lasts ``minutes_per_step`` simulated minutes from ``start``. Activation follows OASIS:
agent i's rate in hour h is ``P[i, h] = f[i, h] / max_j f[j, h]``, where ``f`` is the agent's
hourly activity count (the seeds' ``activity_level_frequency``); without profiles every agent
has one fixed rate. A rate is feed views per simulated hour (at OASIS's one-hour step, the
chance to be active in the hour). A step of ``dt`` minutes holds ``mu = rate * dt / 60`` views
on average: the agent is active with chance ``min(1, mu)`` and, when active, views its feed
``mu / min(1, mu)`` times (more than once only when a step is longer than the agent's mean gap
between views). Expected views per simulated hour are then the rate at every clock, and at a
one-hour clock the chance to be active is OASIS's ``P`` exactly. Draws are vectorised over all
agents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from oasis.core.rng import Stream, mean_one_lognormal, uniform

DEFAULT_MINUTES_PER_STEP = 60.0


@dataclass(frozen=True, slots=True)
class Clock:
    """Maps steps to simulated time."""

    start: datetime
    minutes_per_step: float

    def seconds(self, step: int) -> float:
        """Simulated POSIX time at the start of ``step``."""
        return self.start.timestamp() + step * self.minutes_per_step * 60.0

    def at(self, step: int) -> datetime:
        """Simulated date and time at the start of ``step``."""
        return self.start + timedelta(minutes=step * self.minutes_per_step)

    def hour(self, step: int) -> int:
        """Hour of the day (0-23) at the start of ``step``."""
        return self.at(step).hour

    def steps_in(self, minutes: float) -> int:
        """The fewest whole steps (at least one) that cover ``minutes`` of simulated time."""
        return max(1, math.ceil(minutes / self.minutes_per_step - 1e-9))

    def label(self, step: int) -> str:
        """A human-readable time for prompts, such as ``2026-11-25 14:30``."""
        return self.at(step).strftime("%Y-%m-%d %H:%M")


def hourly_probabilities(frequency: np.ndarray) -> np.ndarray:
    """OASIS's P[i, h] = f[i, h] / max over agents of f[., h]; an hour nobody uses stays 0."""
    counts = np.asarray(frequency, dtype=np.float32)
    peak = counts.max(axis=0, initial=0.0)
    probability: np.ndarray = np.divide(counts, peak, out=np.zeros_like(counts), where=peak > 0)
    return probability


def rate_multipliers(seed: int, agent_ids: np.ndarray, spread: float) -> np.ndarray:
    """Each agent's own multiplier of its views per hour: log-normal, mean 1, log-sd ``spread``.

    Drawn once per agent from ``(seed, ACTIVITY, agent id)``, the same at every step, so the
    mean rate stays and only how unequally the agents use the platform widens.
    """
    return mean_one_lognormal(seed, Stream.ACTIVITY, agent_ids, spread)


def step_activity(
    views_per_hour: np.ndarray | float, minutes_per_step: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each agent's chance to be active in a step and its feed views when active.

    ``views_per_hour`` is one rate for all or one per agent; see the module's docstring.
    """
    mean = np.asarray(views_per_hour, np.float64) * (minutes_per_step / 60.0)
    chance = np.minimum(mean, 1.0)
    views: np.ndarray = np.divide(mean, chance, out=np.ones_like(mean), where=chance > 0)
    return chance, views


def draw_active(
    seed: int, step: int, agent_ids: np.ndarray, probability: np.ndarray | float
) -> np.ndarray:
    """The agents active at ``step``: each is active with its own probability.

    ``probability`` is one value for all, or one per agent aligned with ``agent_ids``.
    """
    draws = uniform(seed, Stream.ACTIVATION, step, agent_ids)[:, 0]
    active: np.ndarray = np.asarray(agent_ids)[draws < probability]
    return active
