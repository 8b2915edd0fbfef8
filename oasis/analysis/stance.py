"""Stance trajectories and their per-step measures: mean, variance, extremity, bimodality.

A run stores a stance row for an agent only when its stance changed; :func:`trajectories`
fills every agent's stance at every step from those rows. Per step and group,
:func:`stance_by_step` gives:

- ``mean``: the average stance (which way the group leans);
- ``variance``: the population variance of stance (its spread);
- ``extremity``: the mean of |stance| (how far from undecided);
- ``bimodality``: Sarle's bimodality coefficient (g^2 + 1) / (k + 3 (n - 1)^2 / ((n - 2)(n - 3)))
  with g the sample skewness and k the sample excess kurtosis (bias-corrected); above 5/9 (its
  value for a uniform distribution) points to two modes (Pfister et al. 2013, "Good things peak
  in pairs", Front. Psychol. 4:700).

:func:`between_group_distance` is the gap between the highest and lowest group means per step,
the polarization between camps.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import pandas as pd
from scipy import stats

ALL = "all"


def trajectories(
    rows: pd.DataFrame, steps: int, groups: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """Every agent's stance at every step from -1 (the start) to ``steps - 1``.

    Args:
        rows: Columns ``user_id``, ``step`` and ``stance``: stored changes.
        steps: The number of steps run.
        groups: Each agent's group (agents not in it: ``all`` only).

    Returns:
        Columns ``step``, ``agent_id``, ``group`` and ``stance``, sorted by step then agent.
    """
    found = list(stances_at(rows, range(-1, steps)))
    agents = np.concatenate([ids for _, ids, _ in found])
    named = groups or {}
    return pd.DataFrame(
        {
            "step": np.repeat([step for step, _, _ in found], [len(ids) for _, ids, _ in found]),
            "agent_id": agents,
            "group": [named.get(int(a), "") for a in agents],
            "stance": np.concatenate([values for _, _, values in found]),
        }
    )


def stances_at(
    rows: pd.DataFrame, steps: Iterable[int]
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Each agent's latest stance after each of ``steps`` (ascending), from stored changes.

    Args:
        rows: Columns ``user_id``, ``step`` and ``stance``: stored changes (the last of a step
            counts).
        steps: The steps wanted, in ascending order.

    Yields:
        ``(step, agent ids, stances)``: every agent in ``rows``, by id, with its stance at the
        end of ``step`` (NaN before its first change).
    """
    order = np.argsort(rows["step"].to_numpy(np.int64), kind="stable")
    changed = rows["step"].to_numpy(np.int64)[order]
    values = rows["stance"].to_numpy()[order]
    ids, slot = np.unique(rows["user_id"].to_numpy()[order], return_inverse=True)
    current = np.full(len(ids), np.nan, np.result_type(values.dtype, np.float32))
    start = 0
    for step in steps:
        end = int(np.searchsorted(changed, step, side="right"))
        current[slot[start:end]] = values[start:end]
        start = end
        yield step, ids, current.copy()


def bimodality_coefficient(values: np.ndarray) -> float:
    """Sarle's bimodality coefficient of a sample (NaN below 4 values or with no spread)."""
    x = np.asarray(values, np.float64)
    if len(x) < 4 or np.ptp(x) == 0:
        return float("nan")
    n = len(x)
    skew = float(stats.skew(x, bias=False))
    kurtosis = float(stats.kurtosis(x, bias=False))
    return (skew**2 + 1.0) / (kurtosis + 3.0 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def stance_by_step(stances: pd.DataFrame) -> pd.DataFrame:
    """Per step, for every group and for ``all`` agents: n and the four measures.

    Args:
        stances: Columns ``step``, ``group`` and ``stance`` (e.g. :func:`trajectories`).

    Returns:
        Columns ``step``, ``group``, ``n``, ``mean``, ``variance``, ``extremity`` and
        ``bimodality``.
    """
    named = stances[stances["group"].astype(str) != ""]
    frames = [stances.assign(group=ALL), named] if len(named) else [stances.assign(group=ALL)]
    both = pd.concat(frames, ignore_index=True)
    rows = [
        {
            "step": step,
            "group": group,
            "n": len(part),
            "mean": float(part["stance"].mean()),
            "variance": float(part["stance"].var(ddof=0)),
            "extremity": float(part["stance"].abs().mean()),
            "bimodality": bimodality_coefficient(part["stance"].to_numpy()),
        }
        for (step, group), part in both.groupby(["step", "group"], sort=True)
    ]
    return pd.DataFrame(rows, columns=["step", "group", "n", *MEASURES])


MEASURES = ("mean", "variance", "extremity", "bimodality")


def between_group_distance(by_step: pd.DataFrame) -> pd.Series:
    """Per step, the highest minus the lowest group mean (NaN with fewer than two groups)."""
    groups = by_step[by_step["group"] != ALL]
    spread = groups.groupby("step")["mean"].agg(
        lambda m: m.max() - m.min() if len(m) > 1 else np.nan
    )
    return spread.rename("distance")
