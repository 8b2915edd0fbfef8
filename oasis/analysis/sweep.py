"""A sweep's combined table: each metric per setting, with its spread over seeds."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def sweep_summary(
    runs: pd.DataFrame, settings: Sequence[str], metrics: Sequence[str]
) -> pd.DataFrame:
    """Per setting (one row per combination of ``settings``): mean, std, min and max of each metric.

    ``runs`` has one row per run, with the setting columns, ``seed`` and the metric columns.
    """
    keys = list(settings) or ["setting"]
    frame = runs if settings else runs.assign(setting="all")
    grouped = frame.groupby(keys, sort=True)[list(metrics)]
    table = grouped.agg(["mean", "std", "min", "max"])
    table.columns = [f"{metric}_{stat}" for metric, stat in table.columns]
    return table.assign(seeds=grouped.size()).reset_index()
