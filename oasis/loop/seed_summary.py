"""The summary of one experiment run once per seed (``oasis run --seeds``), over their folders.

Each run's source cascade (its topic's, else its largest) is stacked with the others' into each
curve's mean, spread and range per time; herd runs also get the groups' intervals and the
permutation tests over every seed's threads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from oasis.analysis.comparison import METRICS
from oasis.analysis.herd import agent_votes, herd_intervals, herd_tests
from oasis.analysis.plots import plot_herd_intervals, plot_seed_curves
from oasis.analysis.report import markdown_table


def write_seed_summary(folder: Path, runs: list[Path], title: str) -> list[Path]:
    """Mean, standard deviation, min and max of each cascade curve over the seeds' runs.

    Each run contributes its topic source's cascade (``comparison.json``), else its largest.
    Writes ``cascades_seeds.csv`` (time x metric statistics), ``cascades_seeds.png`` (where a
    run has a cascade), the herd tables over the seeds (herd runs) and ``summary_seeds.md``.
    """
    frames = []
    for run in runs:
        curves = pd.read_csv(run / "cascades.csv")
        record = run / "comparison.json"
        root = json.loads(record.read_text())["root_post_id"] if record.exists() else None
        if root is None and len(curves):
            root = int(curves.groupby("root_post_id")["scale"].max().idxmax())
        frames.append(curves[curves["root_post_id"] == root].assign(run=run.name))
    curve_files, curve_text = _seed_curves(folder, pd.concat(frames, ignore_index=True))
    herd_files, herd_text = _seed_herd(folder, runs)
    summary = folder / "summary_seeds.md"
    summary.write_text(
        f"# {title}: {len(runs)} seeds ({', '.join(r.name for r in runs)})\n\n"
        f"{curve_text}{herd_text}",
        encoding="utf-8",
    )
    return [*curve_files, *herd_files, summary]


def _per_view_rise(comments: pd.DataFrame) -> str:
    """Up-votes per view on up- and down-treated comments against control's, as a sentence."""
    if "views" not in comments:
        return ""
    votes = agent_votes(comments)
    sums = votes.groupby("group")[["likes", "views"]].sum()
    rate = sums["likes"] / sums["views"]
    return (
        f"Agents' up-votes per view: {rate['up'] / rate['control']:.2f} times the control's on "
        f"up-treated comments, {rate['down'] / rate['control']:.2f} times on down-treated ones "
        "(Muchnik et al. 2013: 1.32 for the next rater of an up-treated comment).\n\n"
    )


def _seed_curves(folder: Path, stacked: pd.DataFrame) -> tuple[list[Path], str]:
    """The source cascades' statistics per time over the seeds, their plot and summary text."""
    stats = stacked.groupby("time")[list(METRICS)].agg(["mean", "std", "min", "max"])
    stats.columns = [f"{metric}_{stat}" for metric, stat in stats.columns]
    table = folder / "cascades_seeds.csv"
    stats.reset_index().to_csv(table, index=False)
    if stats.empty:
        return [table], "No run has a cascade.\n"
    plot = plot_seed_curves(stats.reset_index(), folder / "cascades_seeds.png")
    final = stats.iloc[[-1]].reset_index()
    return [table, plot], (
        "Final values of the source cascade, mean / std / min / max over the seeds:\n\n"
        f"{markdown_table(final)}\n\n![seeds](cascades_seeds.png)\n"
    )


def _seed_herd(folder: Path, runs: list[Path]) -> tuple[list[Path], str]:
    """Herd runs: the groups' intervals over seeds and the tests on all seeds' threads.

    Writes ``herd.csv``/``herd.png`` (:func:`herd_intervals`) and ``herd_tests.csv``
    (:func:`permutation_tests`) beside the seeds' folders; nothing for other experiments.
    """
    files = [run / "herd_threads.csv" for run in runs]
    if not all(f.exists() for f in files):
        return [], ""
    comments = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
    intervals, tests = herd_intervals(comments), herd_tests(comments)
    intervals.to_csv(folder / "herd.csv")
    tests.to_csv(folder / "herd_tests.csv", index=False)
    plot = plot_herd_intervals(intervals, folder / "herd.png")
    text = (
        "\n## Herd effect over the seeds (agents' votes, planted vote left out)\n\n"
        f"{markdown_table(intervals.reset_index())}\n\n{markdown_table(tests)}\n\n"
        f"{_per_view_rise(comments)}![herd](herd.png)\n"
    )
    return [folder / "herd.csv", folder / "herd_tests.csv", plot], text
