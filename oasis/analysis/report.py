"""A run's results report: PNG plots, CSV tables and a short markdown summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from oasis.analysis.plots import (
    plot_activity,
    plot_cascades,
    plot_herd,
    plot_herd_intervals,
    plot_polarization,
    plot_stances,
)

MAX_LISTED_REPAIRS = 40


@dataclass(frozen=True, slots=True)
class Report:
    """What a results report holds: each part given gets its files and its summary section.

    Attributes:
        title: The summary's heading.
        notes: Markdown sections put right under the heading (lineage, LLM usage).
        cascades: :func:`~oasis.analysis.cascade.cascades_metrics` output.
        activity: :func:`~oasis.analysis.activity.activity_per_step` output.
        polarization: :func:`~oasis.analysis.polarization.polarization_by_round` output.
        herd: :func:`~oasis.analysis.herd.herd_effect` output.
        reference: Real cascade values drawn beside the simulated ones (see ``plot_cascades``).
        comparison: :func:`~oasis.analysis.comparison.final_comparison` output, stated first.
        against_others: :func:`~oasis.analysis.comparison.against_others` output: how far the
            source spread against the run's other posts, stated with the comparison.
        failures: Failed actions by action and reason with their share of all actions.
        stance: :func:`~oasis.analysis.stance.stance_by_step` output; written as
            ``polarization.csv``/``.png`` (instead of ``polarization``).
        herd_intervals: :func:`~oasis.analysis.herd.herd_intervals` output; written as
            ``herd.csv``/``.png`` (instead of ``herd``).
        herd_tests: :func:`~oasis.analysis.herd.permutation_tests` output.
        provenance: What produced the results (opinion model and parameters, social
            influence, the LLM of each group...), listed under "Models".
        repairs: The seed data's repairs, one line each, listed and written to ``repairs.txt``.
    """

    title: str = "OASIS run"
    notes: Sequence[str] = ()
    cascades: pd.DataFrame | None = None
    activity: pd.DataFrame | None = None
    polarization: pd.DataFrame | None = None
    herd: pd.DataFrame | None = None
    reference: Mapping[str, float] | None = None
    comparison: pd.DataFrame | None = None
    against_others: pd.DataFrame | None = None
    failures: pd.DataFrame | None = None
    stance: pd.DataFrame | None = None
    herd_intervals: pd.DataFrame | None = None
    herd_tests: pd.DataFrame | None = None
    provenance: Mapping[str, str] = field(default_factory=dict)
    repairs: Sequence[str] = ()


def write_report(folder: str | Path, report: Report) -> list[Path]:
    """Write the plots and tables of whichever parts ``report`` holds, and ``summary.md``.

    Args:
        folder: The results folder (created if needed).
        report: What to write (see :class:`Report`).

    Returns:
        Every file written, ``summary.md`` last.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    parts = [
        ([], _comparison_sections(report)),
        _cascades_part(report, out),
        _activity_part(report, out),
        ([], _models_sections(report)),
        _repairs_part(report, out),
        _stance_part(report, out),
        _herd_part(report, out),
        ([], _failures_sections(report)),
    ]
    written = [path for files, _ in parts for path in files]
    sections = [f"# {report.title}\n", *report.notes, *(s for _, texts in parts for s in texts)]
    summary = out / "summary.md"
    summary.write_text("\n".join(sections), encoding="utf-8")
    return [*written, summary]


Part = tuple[list[Path], list[str]]
"""The files one part of a report wrote, and its sections of ``summary.md``."""


def _comparison_sections(report: Report) -> list[str]:
    """The topic's real cascade beside the simulated one, and the source against the others."""
    sections = []
    if report.comparison is not None:
        sections.append(
            "## The real cascade and the simulated one\n\n"
            "Real figures from all_topics.csv (Twitter15/16); simulated: the source tweet's "
            f"cascade at the end of the run.\n\n{markdown_table(report.comparison)}\n"
        )
    if report.against_others is not None:
        sections.append(
            "## The source against the other posts\n\nThe source's cascade at the end of the "
            "run beside the median and the largest of the other original posts' (a post nobody "
            f"shared: scale 1, depth 0).\n\n{markdown_table(report.against_others)}\n"
        )
    return sections


def _cascades_part(report: Report, out: Path) -> Part:
    if report.cascades is None:
        return [], []
    files = [
        plot_cascades(report.cascades, out / "cascades.png", report.reference),
        _csv(report.cascades, out / "cascades.csv"),
    ]
    final = _final_cascades(report.cascades)
    return files, [_section("Cascades (final values)", final, "cascades.png")]


def _activity_part(report: Report, out: Path) -> Part:
    if report.activity is None:
        return [], []
    files = [
        plot_activity(report.activity, out / "activity.png"),
        _csv(report.activity, out / "activity.csv", index=True),
    ]
    totals = report.activity.sum().to_frame("actions").T
    return files, [_section("Activity", totals, "activity.png")]


def _models_sections(report: Report) -> list[str]:
    if not report.provenance:
        return []
    lines = "\n".join(f"- {key}: {value}" for key, value in report.provenance.items())
    return [f"## Models\n\n{lines}\n"]


def _repairs_part(report: Report, out: Path) -> Part:
    """The seed's repairs: all in ``repairs.txt``, the first ``MAX_LISTED_REPAIRS`` listed."""
    repairs = report.repairs
    if not repairs:
        return [], []
    (out / "repairs.txt").write_text("\n".join(repairs) + "\n", encoding="utf-8")
    listed = "\n".join(f"- {line}" for line in repairs[:MAX_LISTED_REPAIRS])
    more = len(repairs) - MAX_LISTED_REPAIRS
    tail = f"\n- ... and {more} more (repairs.txt)" if more > 0 else ""
    return [out / "repairs.txt"], [
        f"## Seed repairs\n\n{len(repairs)} defects repaired, none dropped:\n\n{listed}{tail}\n"
    ]


def _stance_part(report: Report, out: Path) -> Part:
    """Stances per step (or, without, the polarization per round)."""
    if report.stance is not None:
        files = [
            plot_stances(report.stance, out / "polarization.png"),
            _csv(report.stance, out / "polarization.csv"),
        ]
        first_last = _last_step(report.stance)
        return files, [_section("Polarization (stance per step)", first_last, "polarization.png")]
    if report.polarization is not None:
        files = [
            plot_polarization(report.polarization, out / "polarization.png"),
            _csv(report.polarization, out / "polarization.csv"),
        ]
        return files, [_section("Polarization", report.polarization, "polarization.png")]
    return [], []


def _herd_part(report: Report, out: Path) -> Part:
    """The herd groups' intervals and tests (or, without, the herd effect table)."""
    if report.herd_intervals is not None:
        intervals = report.herd_intervals
        files = [
            plot_herd_intervals(intervals, out / "herd.png"),
            _csv(intervals, out / "herd.csv", index=True),
        ]
        heading = "Herd effect (agents' votes, planted vote left out)"
        sections = [_section(heading, intervals.reset_index(), "herd.png")]
        if report.herd_tests is not None:
            files.append(_csv(report.herd_tests, out / "herd_tests.csv"))
            sections.append(f"### Permutation tests\n\n{markdown_table(report.herd_tests)}\n")
        return files, sections
    if report.herd is not None:
        files = [
            plot_herd(report.herd, out / "herd.png"),
            _csv(report.herd, out / "herd.csv", index=True),
        ]
        return files, [_section("Herd effect", report.herd.reset_index(), "herd.png")]
    return [], []


def _failures_sections(report: Report) -> list[str]:
    if report.failures is None:
        return []
    table = markdown_table(report.failures) if len(report.failures) else "None."
    return [f"## Failed actions\n\n{table}\n"]


def _csv(frame: pd.DataFrame, path: Path, index: bool = False) -> Path:
    frame.to_csv(path, index=index)
    return path


def _last_step(by_step: pd.DataFrame) -> pd.DataFrame:
    """The first and last step's rows: where the stances started and ended."""
    steps = by_step["step"]
    return by_step[(steps == steps.min()) | (steps == steps.max())]


def _final_cascades(metrics: pd.DataFrame) -> pd.DataFrame:
    final = metrics.groupby("root_post_id")[["scale", "depth", "max_breadth"]].max()
    return final.sort_values("scale", ascending=False).head(10).reset_index()


def _section(heading: str, table: pd.DataFrame, image: str) -> str:
    return f"## {heading}\n\n{markdown_table(table)}\n\n![{heading}]({image})\n"


def markdown_table(table: pd.DataFrame) -> str:
    """Render a frame as a GitHub markdown table (floats to 3 decimals, no index)."""
    cells = [[_cell(v) for v in row] for row in table.itertuples(index=False)]
    header = [str(c) for c in table.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in cells])


def _cell(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
