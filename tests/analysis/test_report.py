from pathlib import Path

import pandas as pd

from oasis.analysis import (
    Report,
    activity_per_step,
    cascades_metrics,
    herd_effect,
    polarization_by_round,
    stances,
    write_report,
)
from tests.analysis.test_cascade import POSTS
from tests.analysis.test_opinions import ANSWERS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _is_png(path: Path) -> bool:
    data = path.read_bytes()
    # Signature, then the IHDR chunk first, and the IEND chunk last.
    return (
        data[:8] == PNG_MAGIC
        and data[12:16] == b"IHDR"
        and data[-8:-4] == b"IEND"
        and len(data) > 1000
    )


def test_full_report(tmp_path: Path) -> None:
    trace = pd.DataFrame(
        {"step": [0, 0, 1, 2, 2, 2], "action": ["create_post", "like_post", "repost"] * 2}
    )
    comments = pd.DataFrame(
        {"group": ["up", "down", "control"], "num_likes": [3, 0, 1], "num_dislikes": [0, 2, 1]}
    )
    report = Report(
        cascades=cascades_metrics(POSTS, time_column="step"),
        activity=activity_per_step(trace),
        polarization=polarization_by_round(stances(ANSWERS)),
        herd=herd_effect(comments),
        reference={"scale": 9, "depth": 2},
        title="Test run",
    )
    written = write_report(tmp_path / "results", report)
    names = sorted(p.name for p in written)
    pngs = ["activity.png", "cascades.png", "herd.png", "polarization.png"]
    assert set(pngs) <= set(names) and "summary.md" in names
    for name in pngs:
        assert _is_png(tmp_path / "results" / name), name
    summary = (tmp_path / "results" / "summary.md").read_text()
    assert summary.startswith("# Test run")
    assert "| root_post_id | scale | depth | max_breadth |" in summary
    assert "| 1 | 7 | 3 | 3 |" in summary
    assert "![Herd effect](herd.png)" in summary
    assert pd.read_csv(tmp_path / "results" / "cascades.csv")["scale"].max() == 7


def test_partial_report_writes_only_what_it_has(tmp_path: Path) -> None:
    trace = pd.DataFrame({"step": [0, 1], "action": ["do_nothing", "refresh"]})
    written = write_report(tmp_path, Report(activity=activity_per_step(trace)))
    assert sorted(p.name for p in written) == ["activity.csv", "activity.png", "summary.md"]
    assert _is_png(tmp_path / "activity.png")
    assert "Cascades" not in (tmp_path / "summary.md").read_text()
