"""PNG plots of run metrics, drawn on bare matplotlib Figures (Agg; no pyplot global state)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MAX_CASCADE_LINES = 10


@contextmanager
def _panels(
    path: Path, ncols: int = 1, legend: Mapping[str, Any] | None = None
) -> Iterator[list[Axes]]:
    """A row of ``ncols`` panels, written to ``path`` as a PNG when the block ends.

    With ``legend`` (its keywords), the first panel names its labelled lines, if it has any.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5 * ncols, 3.6), layout="constrained")
    axes = list(figure.subplots(1, ncols, squeeze=False)[0])
    yield axes
    if legend is not None and axes[0].get_legend_handles_labels()[0]:
        axes[0].legend(**legend)
    figure.savefig(path, format="png", dpi=100)


def plot_cascades(
    metrics: pd.DataFrame, path: Path, reference: Mapping[str, float] | None = None
) -> Path:
    """Scale, depth and max breadth over time, one line per root (the largest few).

    Args:
        metrics: :func:`oasis.analysis.cascade.cascades_metrics` output.
        path: The PNG to write.
        reference: Real cascade values to draw as dashed lines, keyed ``scale``/``depth``/
            ``max_breadth`` (e.g. a topic's ``num_users`` and ``max_depth``).

    Returns:
        The path written.
    """
    final = metrics.groupby("root_post_id")["scale"].max().sort_values(ascending=False)
    with _panels(path, 3, legend={"fontsize": "small"}) as axes:
        for root in final.index[:MAX_CASCADE_LINES]:
            one = metrics[metrics["root_post_id"] == root]
            for ax, column in zip(axes, ("scale", "depth", "max_breadth"), strict=True):
                ax.step(one["time"], one[column], where="post", label=f"post {root}")
        for ax, column in zip(axes, ("scale", "depth", "max_breadth"), strict=True):
            if reference and column in reference:
                ax.axhline(reference[column], linestyle="--", color="black", label="real")
            ax.set(title=column.replace("_", " "), xlabel="time")
    return path


def plot_activity(per_step: pd.DataFrame, path: Path) -> Path:
    """Actions per step, one line per action type and the total.

    Args:
        per_step: :func:`oasis.analysis.activity.activity_per_step` output.
        path: The PNG to write.

    Returns:
        The path written.
    """
    with _panels(path, legend={"fontsize": "small", "ncols": 2}) as (ax,):
        for column in per_step.columns:
            width = 2 if column == "total" else 1
            ax.plot(per_step.index, per_step[column], label=column, linewidth=width)
        ax.set(title="activity per step", xlabel="step", ylabel="actions")
    return path


def plot_polarization(per_round: pd.DataFrame, path: Path) -> Path:
    """Mean stance, extremity and polarization per interview round.

    Args:
        per_round: :func:`oasis.analysis.polarization.polarization_by_round` output.
        path: The PNG to write.

    Returns:
        The path written.
    """
    with _panels(path, legend={"fontsize": "small"}) as (ax,):
        for column in ("mean_stance", "extremity", "polarization"):
            label = column.replace("_", " ")
            ax.plot(per_round["round"], per_round[column], marker="o", label=label)
        ax.set(title="opinions per round", xlabel="round")
    return path


def plot_herd(table: pd.DataFrame, path: Path) -> Path:
    """Bar chart of mean final comment score per herd group, with counts.

    Args:
        table: :func:`oasis.analysis.herd.herd_effect` output.
        path: The PNG to write.

    Returns:
        The path written.
    """
    scores = table["mean_score"].fillna(0)
    with _panels(path) as (ax,):
        ax.bar(table.index.astype(str), scores, yerr=table["std_score"].fillna(0), capsize=4)
        for x, (score, n) in enumerate(zip(scores, table["n"], strict=True)):
            ax.annotate(f"n={n}", (x, score), ha="center", va="bottom")
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set(title="herd effect: final comment score", ylabel="likes - dislikes")
    return path


def plot_seed_curves(stats: pd.DataFrame, path: Path) -> Path:
    """Mean of each cascade curve over seeds, with a band from its min to its max.

    Args:
        stats: Columns ``time`` and ``<metric>_mean/_min/_max`` per metric.
        path: The PNG to write.

    Returns:
        The path written.
    """
    with _panels(path, 3) as axes:
        for ax, column in zip(axes, ("scale", "depth", "max_breadth"), strict=True):
            low, high = stats[f"{column}_min"], stats[f"{column}_max"]
            ax.step(stats["time"], stats[f"{column}_mean"], where="post", label="mean")
            ax.fill_between(stats["time"], low, high, step="post", alpha=0.3)
            ax.set(title=column.replace("_", " "), xlabel="minute")
    return path


def plot_sweep(
    runs: pd.DataFrame, settings: Sequence[str], metrics: Sequence[str], path: Path
) -> Path:
    """One panel per metric: the mean per setting as a bar, each seed's run as a dot."""
    labels = _labels(runs, settings)
    order = sorted(set(labels))
    with _panels(path, len(metrics)) as axes:
        for ax, metric in zip(axes, metrics, strict=True):
            values = runs[metric].groupby(labels)
            means, stds = values.mean().reindex(order), values.std().reindex(order).fillna(0.0)
            ax.bar(range(len(order)), means.to_numpy(), yerr=stds.to_numpy(), capsize=4, alpha=0.6)
            for x, label in enumerate(order):
                dots = runs[metric][labels == label]
                ax.plot([x] * len(dots), dots.to_numpy(), "k.", markersize=4)
            ax.set_xticks(range(len(order)), order, rotation=20, fontsize=7)
            ax.set_title(metric, fontsize=9)
    return path


def _labels(runs: pd.DataFrame, settings: Sequence[str]) -> pd.Series:
    if not settings:
        return pd.Series("all", index=runs.index)
    return runs[list(settings)].astype(str).agg(", ".join, axis=1)


def plot_stances(by_step: pd.DataFrame, path: Path) -> Path:
    """Mean, variance, extremity and bimodality of stance per step, one line per group.

    Args:
        by_step: :func:`oasis.analysis.stance.stance_by_step` output.
        path: The PNG to write.

    Returns:
        The path written.
    """
    measures = ("mean", "variance", "extremity", "bimodality")
    with _panels(path, 4, legend={"fontsize": "small"}) as axes:
        for group, part in by_step.groupby("group", sort=True):
            width = 2 if group == "all" else 1
            for ax, column in zip(axes, measures, strict=True):
                ax.plot(part["step"], part[column], label=str(group), linewidth=width)
        for ax, column in zip(axes, measures, strict=True):
            ax.set(title=f"stance {column}", xlabel="step")
        axes[3].axhline(5 / 9, linestyle="--", color="grey", linewidth=0.8)  # uniform's value
    return path


def plot_herd_intervals(table: pd.DataFrame, path: Path) -> Path:
    """Agents' mean score, likes and dislikes per treatment group, with 95% intervals.

    Args:
        table: :func:`oasis.analysis.herd.herd_intervals` output.
        path: The PNG to write.

    Returns:
        The path written.
    """
    names = table.index.astype(str)
    with _panels(path, 3) as axes:
        for ax, measure in zip(axes, ("score", "likes", "dislikes"), strict=True):
            mean = table[f"mean_{measure}"].to_numpy(float)
            low = (mean - table[f"lo_{measure}"].to_numpy(float)).clip(min=0)
            high = (table[f"hi_{measure}"].to_numpy(float) - mean).clip(min=0)
            ax.errorbar(names, mean, yerr=[low, high], fmt="o", capsize=5)
            ax.axhline(0, color="black", linewidth=0.5)
            ax.set(title=f"agents' {measure} (95% CI over threads)", xlabel="planted vote")
    return path
