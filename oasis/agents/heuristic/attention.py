"""Attention to a post decays with its age: SEISMIC's power-law memory kernel.

Zhao, Erdogdu, He, Rajaraman and Leskovec, "SEISMIC: A Self-Exciting Point Process Model for
Predicting Tweet Popularity", KDD 2015, fitted the time from a tweet to its retweets by a
follower (the "memory kernel" of a self-exciting process, as Crane and Sornette, "Robust
dynamic classes revealed by measuring the response function of a social system", PNAS 2008,
found for YouTube views) on a month of Twitter:

    phi(s) = c                          for 0 <= s <= s0
    phi(s) = c * (s / s0) ** -(1 + theta)  for s > s0

with s0 = 5 minutes, theta = 0.242 and c = 6.94e-4 per second (so that phi integrates to one).
Here the kernel is the relative chance to act on a post per view: 1 while the post is younger
than s0, then falling as the power law. With exposure steady (the post stays in a follower's
timeline), reactions then come at the kernel's times, as SEISMIC measured.

A step is a whole interval of simulated time: a reader active in a step sees the posts of
earlier steps, but in continuous time it would also have seen what appeared in the step
before, younger by up to a step. So a view of a post of age ``a`` (at the step's start) counts
the kernel's mean over ages ``[a - dt, a]`` (``dt`` the step's length): over all steps a post's
views sum to the same kernel mass at any clock, and 60-, 20- and 10-minute steps give the same
expected actions per simulated hour.
"""

from __future__ import annotations

import numpy as np


def kernel(age_s: np.ndarray, plateau_s: float, theta: float) -> np.ndarray:
    """The relative chance to act on a post of ``age_s`` seconds: 1, then the power law."""
    age = np.maximum(np.asarray(age_s, np.float64), 0.0)
    ratio = np.maximum(age / plateau_s, 1.0)
    decayed: np.ndarray = ratio ** -(1.0 + theta)
    return decayed


def kernel_mass(age_s: np.ndarray, plateau_s: float, theta: float) -> np.ndarray:
    """The kernel's integral from age 0 to ``age_s``, in seconds (its antiderivative)."""
    age = np.maximum(np.asarray(age_s, np.float64), 0.0)
    ratio = np.maximum(age / plateau_s, 1.0)
    tail = plateau_s / theta * (1.0 - ratio**-theta)
    mass: np.ndarray = np.minimum(age, plateau_s) + tail
    return mass


def attention(age_s: np.ndarray, step_s: float, plateau_s: float, theta: float) -> np.ndarray:
    """The kernel's mean over ages ``[age - step_s, age]`` (its value at ``age`` if no step).

    Args:
        age_s: each post's age at the start of the step, simulated seconds.
        step_s: the step's length, simulated seconds.
        plateau_s: SEISMIC's ``s0``: how long attention stays at its first level.
        theta: SEISMIC's ``theta``: the power law's exponent is ``-(1 + theta)``.
    """
    age = np.maximum(np.asarray(age_s, np.float64), 0.0)
    if step_s <= 0:
        return kernel(age, plateau_s, theta)
    start = np.maximum(age - step_s, 0.0)
    width = age - start
    mass = kernel_mass(age, plateau_s, theta) - kernel_mass(start, plateau_s, theta)
    point = kernel(age, plateau_s, theta)
    mean: np.ndarray = np.divide(mass, width, out=point, where=width > 0)
    return mean
