"""Attention to a post decays with its age: SEISMIC's power-law memory kernel.

Zhao, Erdogdu, He, Rajaraman and Leskovec, "SEISMIC: A Self-Exciting Point Process Model for
Predicting Tweet Popularity", KDD 2015, fitted the time from a tweet to its retweets by a
follower (the "memory kernel" of a self-exciting process, as Crane and Sornette, "Robust
dynamic classes revealed by measuring the response function of a social system", PNAS 2008,
found for YouTube views) on a month of Twitter:

    phi(s) = c                          for 0 <= s <= s0
    phi(s) = c * (s / s0) ** -(1 + theta)  for s > s0

with s0 = 5 minutes and theta = 0.242, c making phi integrate to one.

That kernel is how long real people take to reshare, and it already holds the time they take to
open their feed. So the simulated feed views must not decay a post's chance again: a view
gets the part of the kernel's mass that elapsed since the reader's previous view (the mass
over the post's ages ``[age - since, age]``, ``since`` the time since that view). Summed over
a reader's views of a post the parts add up to the kernel's total, whatever the reader's view
rate: a rate is the chance to act on a post over all of one's views of it, and the views only
decide when. A reader who views rarely meets a post with much of its mass elapsed; one who
views often meets it in small parts. At any clock the same experiment gives the same expected
actions per simulated hour.
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
    age_s: np.ndarray, since_view_s: np.ndarray | float, plateau_s: float, theta: float
) -> np.ndarray:
    """The share of the kernel's total mass over ages ``[age - since_view, age]``.

    Args:
        age_s: each post's age now (as it reached the reader), simulated seconds.
        since_view_s: simulated seconds since the reader's previous feed view (``inf``: none,
            so all the mass up to the post's age).
        plateau_s: SEISMIC's ``s0``: how long the kernel stays at its first level.
        theta: SEISMIC's ``theta``: the power law's exponent is ``-(1 + theta)``.
    """
    age = np.maximum(np.asarray(age_s, np.float64), 0.0)
    before = np.maximum(age - np.asarray(since_view_s, np.float64), 0.0)
    mass = kernel_mass(age, plateau_s, theta) - kernel_mass(before, plateau_s, theta)
    share: np.ndarray = mass / total_mass(plateau_s, theta)
    return share
