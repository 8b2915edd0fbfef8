"""Where a run's wall time went: each step's seconds per phase, and a table over the steps.

A step's figures hold its phases under ``phases``; the phases it ran after writing them (its
commit, and the loop moving on) are stored with the next step's figures under
``previous_step_phases`` (see :mod:`oasis.loop.phases`). :func:`phase_seconds` puts each back
with its own step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

PHASES = "phases"
PREVIOUS = "previous_step_phases"


def phase_seconds(steps: Iterable[tuple[int, Mapping[str, Any]]]) -> pd.DataFrame:
    """Each step's wall seconds per phase: one row per step (the index), one column per phase.

    ``steps``: each step with its figures. Phases are in the order they first appear; a phase
    a step did not record (the late phases of a run's last step) is NaN.
    """
    rows: dict[int, dict[str, float]] = {}
    for step, figures in sorted(steps, key=lambda s: s[0]):
        rows.setdefault(step, {}).update(figures.get(PHASES) or {})
        late = figures.get(PREVIOUS) or {}
        if late and step - 1 in rows:
            rows[step - 1].update(late)
    frame = pd.DataFrame.from_dict(rows, orient="index", dtype=float)
    return frame.rename_axis("step")


def phase_table(seconds: pd.DataFrame) -> pd.DataFrame:
    """Per phase: mean seconds per step, share of the mean step (percent), most seconds.

    The last row, ``step``, is the whole step: the sum of the phases' means, and the most
    seconds any step's recorded phases add up to.
    """
    steps = seconds.sum(axis=1, min_count=1)
    total = float(seconds.mean().sum())
    table = pd.DataFrame(
        {
            "phase": [*seconds.columns, "step"],
            "mean_s": [*seconds.mean(), total],
            "share_percent": [*(100.0 * seconds.mean() / (total or 1.0)), 100.0],
            "max_s": [*seconds.max(), steps.max()],
        }
    )
    return table.fillna(0.0)
