"""Every random draw of a run, from named streams keyed by (seed, stream, step, agent id).

Draws are counter-based (a SplitMix64 hash of the key), so an agent's draw at a step is the same
whichever shard, batch or process computes it, and a resumed run draws exactly what the
uninterrupted run drew. Use :func:`uniform` for vectorised per-agent draws and
:func:`generator` where a component needs a ``numpy.random.Generator``.

Every random generator of the package is made here (a test checks): :func:`seeded` and
:func:`python_random` serve the few draws outside a run's streams (growing a population from
its seed, the scripted test server, contract checks).
"""

from __future__ import annotations

import random
from enum import IntEnum

import numpy as np
from scipy.special import ndtri


class Stream(IntEnum):
    """The named random streams of a run; a new kind of draw gets a new member."""

    ACTIVATION = 1
    HEURISTIC = 2
    RECSYS = 3
    POPULATION = 4
    LLM = 5
    OPINION = 6
    ANALYSIS = 7
    SUGGESTION = 8
    HERD = 9
    INFECTIOUSNESS = 10
    ACTIVITY = 11


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, vectorised over uint64."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        mixed: np.ndarray = x ^ (x >> np.uint64(31))
        return mixed


def _key(seed: int, stream: Stream, step: int) -> np.uint64:
    base = np.array([seed & 0xFFFFFFFFFFFFFFFF], np.uint64)
    for part in (int(stream), step & 0xFFFFFFFFFFFFFFFF):
        with np.errstate(over="ignore"):
            base = _mix(base ^ np.uint64(part) * np.uint64(0x9E3779B97F4A7C15))
    return np.uint64(base[0])


def uniform(
    seed: int, stream: Stream, step: int, agent_ids: np.ndarray, draws: int = 1
) -> np.ndarray:
    """Uniform floats in [0, 1): shape (len(agent_ids), draws), one row per agent."""
    ids = np.asarray(agent_ids, dtype=np.uint64).reshape(-1, 1)
    counters = np.arange(draws, dtype=np.uint64).reshape(1, -1)
    with np.errstate(over="ignore"):
        x = _key(seed, stream, step) ^ (ids * np.uint64(0xD1B54A32D192ED03))
        x = _mix(_mix(x) + counters * np.uint64(0x9E3779B97F4A7C15))
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def mean_one_lognormal(seed: int, stream: Stream, ids: np.ndarray, sigma: float) -> np.ndarray:
    """One fixed multiplier per id: ``exp(sigma z - sigma**2 / 2)``, z standard normal.

    A log-normal of mean 1 and log-sd ``sigma``, drawn from ``(seed, stream, 0, id)``, so an id
    gets the same multiplier in every step, batch and process.
    """
    z = ndtri(uniform(seed, stream, 0, ids)[:, 0])
    multiplier: np.ndarray = np.exp(sigma * z - sigma * sigma / 2.0)
    return multiplier


def generator(seed: int, stream: Stream, step: int = 0, agent_id: int = 0) -> np.random.Generator:
    """A numpy generator for one (seed, stream, step, agent) key."""
    return np.random.default_rng(np.random.SeedSequence([seed, int(stream), step, agent_id]))


def seeded(seed: int) -> np.random.Generator:
    """A numpy generator seeded by one integer, for draws outside a run's named streams."""
    return np.random.default_rng(seed)


def python_random(seed: int) -> random.Random:
    """A standard-library generator seeded by one integer (for libraries that take one)."""
    return random.Random(seed)
