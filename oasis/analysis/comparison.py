"""Simulated cascades against real ones: final figures and per-minute NRMSE.

Real figures come from Twitter15/16's ``all_topics.csv`` (``num_users``, ``max_depth`` of each
topic) or from per-minute curves given as files (:mod:`oasis.analysis.real_curves`).

NRMSE of a metric = RMSE over the real curve's minutes ``0 <= m < horizon`` (150 by default)
divided by the largest real value over those minutes. Alignment: the source tweet is minute 0
of both curves; the simulated value at real minute m is the last one measured at a simulated
minute (step x minutes per step) at or before m, and 0 before the first.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from oasis.analysis.real_curves import METRICS, CurveError, load_real_curves

__all__ = ["ALIGNMENT", "METRICS", "aligned", "final_comparison", "load_real_curves", "nrmse"]

HORIZON_MINUTES = 150
# The real figure of all_topics.csv each simulated final figure is compared with.
TOPIC_FIGURES = {"scale": "num_users", "depth": "max_depth"}
ALIGNMENT = (
    "minute 0 = the source tweet in both curves; the simulated value at real minute m is the "
    "last measured at a simulated minute <= m (step x minutes per step), 0 before the first; "
    "RMSE over real minutes 0 <= m < {horizon}, divided by the real curve's maximum there"
)


def final_comparison(simulated: Mapping[str, float], real: Mapping[str, float]) -> pd.DataFrame:
    """Real and simulated final figures side by side with the relative error of each.

    Args:
        simulated: Final ``scale``, ``depth`` and ``max_breadth`` of the simulated cascade.
        real: The topic's real figures (``num_users``, ``max_depth``).

    Returns:
        One row per metric: ``metric, real_figure, real, simulated, relative_error`` (real and
        relative error empty where the real data has no figure, as for max breadth).
    """
    rows = []
    for metric in METRICS:
        figure = TOPIC_FIGURES.get(metric)
        value = float(real[figure]) if figure is not None and figure in real else float("nan")
        sim = float(simulated[metric])
        error = (sim - value) / value if value else float("nan")
        rows.append((metric, figure or "", value, sim, error))
    columns = ["metric", "real_figure", "real", "simulated", "relative_error"]
    return pd.DataFrame(rows, columns=columns)


def aligned(simulated: pd.DataFrame, minutes: np.ndarray) -> pd.DataFrame:
    """The simulated curve (``time`` in minutes) read at each of ``minutes`` (see alignment)."""
    order = simulated.sort_values("time")
    # Position i + 1 of a padded curve is its i-th value; position 0 is the 0 before the first.
    after = np.searchsorted(order["time"].to_numpy(np.float64), minutes, side="right")
    values = {m: np.concatenate(([0.0], order[m].to_numpy(np.float64)))[after] for m in METRICS}
    return pd.DataFrame({"minute": minutes, **values})


def nrmse(
    simulated: pd.DataFrame, real: pd.DataFrame, horizon: int = HORIZON_MINUTES
) -> dict[str, float]:
    """Per-metric NRMSE of a simulated curve (``time`` in minutes) against a real one.

    Returns:
        ``{metric: nrmse}``; NaN where the real curve is zero throughout.

    Raises:
        CurveError: the horizon is not positive, or no real minute falls inside it.
    """
    if horizon < 1:
        raise CurveError(f"the horizon must be at least 1 minute, not {horizon}")
    window = real[(real["minute"] >= 0) & (real["minute"] < horizon)]
    if window.empty:
        raise CurveError(f"the real curves have no minute in 0 <= m < {horizon}")
    sim = aligned(simulated, window["minute"].to_numpy(np.float64))
    scores = {}
    for metric in METRICS:
        truth = window[metric].to_numpy(np.float64)
        rmse = float(np.sqrt(np.mean((sim[metric].to_numpy() - truth) ** 2)))
        peak = float(truth.max(initial=0.0))
        scores[metric] = rmse / peak if peak else float("nan")
    return scores


def against_others(
    cascades: pd.DataFrame, root: int | None, originals: np.ndarray | None = None
) -> pd.DataFrame:
    """How far the source spread against the run's other posts, by their final figures.

    A model under which every post spreads alike cannot tell a rumour from chatter; this
    puts the source's final scale, depth and max breadth beside the median and the largest of
    every other original post's cascade (a post nobody shared has scale 1, depth 0).

    Args:
        cascades: :func:`~oasis.analysis.cascade.cascades_metrics` output (every original).
        root: The source's post id (None: not found, its figures are 0).
        originals: Every original post's id, so that those nobody shared (absent from
            ``cascades``) count with scale 1; None: the posts of ``cascades`` only.

    Returns:
        One row per metric: ``metric, source, others_median, others_max, others`` (how many
        other posts), and ``ratio`` (source over the others' median).
    """
    final = cascades.sort_values("time").groupby("root_post_id")[list(METRICS)].last()
    if originals is not None:
        alone = pd.DataFrame({"scale": 1.0, "depth": 0.0, "max_breadth": 0.0}, index=originals)
        final = final.combine_first(alone.loc[~alone.index.isin(final.index)])
    others = final.drop(index=[root] if root in final.index else [])
    rows = []
    for metric in METRICS:
        source = float(final.loc[root, metric]) if root in final.index else 0.0
        median = float(others[metric].median()) if len(others) else float("nan")
        top = float(others[metric].max()) if len(others) else float("nan")
        ratio = source / median if median else float("nan")
        rows.append((metric, source, median, top, len(others), ratio))
    columns = ["metric", "source", "others_median", "others_max", "others", "ratio"]
    return pd.DataFrame(rows, columns=columns)
