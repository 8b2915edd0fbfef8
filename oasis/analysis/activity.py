"""Activity per step from the action trace."""

from __future__ import annotations

import pandas as pd


def activity_per_step(trace: pd.DataFrame, action_column: str = "action") -> pd.DataFrame:
    """Count actions per step and type.

    Args:
        trace: One row per action taken, with a ``step`` column and an action-type column.
        action_column: Name of the action-type column.

    Returns:
        Indexed by step (every step from the first to the last, idle ones as zeros), one
        integer column per action type, plus ``total``.
    """
    counts = trace.groupby(["step", action_column]).size().unstack(fill_value=0)
    if len(counts):
        counts = counts.reindex(
            range(int(counts.index.min()), int(counts.index.max()) + 1), fill_value=0
        )
    counts.columns = [str(c) for c in counts.columns]
    counts["total"] = counts.sum(axis=1)
    counts.index.name = "step"
    return counts
