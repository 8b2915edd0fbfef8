"""Attention to a post decays with its age: SEISMIC's power-law memory kernel.

Zhao, Erdogdu, He, Rajaraman and Leskovec, "SEISMIC: A Self-Exciting Point Process Model for
Predicting Tweet Popularity", KDD 2015, fitted the time from a tweet to its retweets by a
follower (the "memory kernel" of a self-exciting process, as Crane and Sornette, "Robust
dynamic classes revealed by measuring the response function of a social system", PNAS 2008,
found for YouTube views) on a month of Twitter:

    phi(s) = c                          for 0 <= s <= s0
    phi(s) = c * (s / s0) ** -(1 + theta)  for s > s0

with s0 = 5 minutes and theta = 0.242, c making phi integrate to one.

That kernel is when real people reshare: the density of reshare times after the parent. A simulated
reader only acts when it views its feed, and views come at the reader's own rate (activation),
so the chance at a view must put the kernel's density where the views are: a step holds the
kernel's mass over the post's ages in the step, ``[age - step, age]``, and the reader, who views
in the step with chance ``c`` (``oasis/core/clock.py``), gets that mass divided by ``c`` at a
view. Over the steps a reader's expected chance adds up to the kernel's total whatever its view
rate, and the shares come when the kernel says, not a view gap later: a reader who views
rarely has the post's fresh mass only if it happens to view while the post is fresh (a chance
above 1 is certain), and meets an old post with the little mass old posts have left. Attention
is lost across a reader's long gaps, as in Wu and Huberman's decay of novelty ("Novelty and
collective attention", PNAS 2007). At any clock the same experiment gives the same expected
actions per simulated hour (short of the chances capped at 1).
"""

from __future__ import annotations

import numpy as np


def kernel(age_s: np.ndarray, plateau_s: float, theta: float) -> np.ndarray:
    """The kernel at ``age_s`` seconds relative to its plateau: 1, then the power law."""
    age = np.maximum(np.asarray(age_s, np.float64), 0.0)
    ratio = np.maximum(age / plateau_s, 1.0)
    decayed: np.ndarray = ratio ** -(1.0 + theta)
    return decayed


def kernel_mass(age_s: np.ndarray, plateau_s: float, theta: float) -> np.ndarray:
    """The integral of :func:`kernel` from age 0 to ``age_s``, in seconds."""
    age = np.maximum(np.asarray(age_s, np.float64), 0.0)
    ratio = np.maximum(age / plateau_s, 1.0)
    tail = plateau_s / theta * (1.0 - ratio**-theta)
    mass: np.ndarray = np.minimum(age, plateau_s) + tail
    return mass


def total_mass(plateau_s: float, theta: float) -> float:
    """The integral of :func:`kernel` over all ages: ``s0 (1 + 1 / theta)`` seconds."""
    return plateau_s * (1.0 + 1.0 / theta)


def attention(
    age_s: np.ndarray,
    step_s: float,
    view_chance: np.ndarray | float,
    plateau_s: float,
    theta: float,
) -> np.ndarray:
    """The kernel's share over the ages ``[age - step, age]`` divided by the chance to view.

    Args:
        age_s: each post's age now (as it reached the reader), simulated seconds.
        step_s: the step's length in simulated seconds.
        view_chance: each reader's chance to view its feed in the step (0 < c <= 1).
        plateau_s: SEISMIC's ``s0``: how long the kernel stays at its first level.
        theta: SEISMIC's ``theta``: the power law's exponent is ``-(1 + theta)``.
    """
    age = np.maximum(np.asarray(age_s, np.float64), 0.0)
    before = np.maximum(age - step_s, 0.0)
    mass = kernel_mass(age, plateau_s, theta) - kernel_mass(before, plateau_s, theta)
    share: np.ndarray = mass / total_mass(plateau_s, theta) / np.asarray(view_chance, np.float64)
    return share
