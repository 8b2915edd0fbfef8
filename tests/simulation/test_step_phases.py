"""Every step records its wall seconds per phase, its late phases with the next step."""

from __future__ import annotations

from pathlib import Path

from oasis.analysis.step_time import phase_seconds
from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation
from oasis.platform.schema import StepMetrics
from tests.factories import experiment

PHASES = [
    "events", "activation", "feeds", "who_to_follow", "observations", "interviews",
    "decisions", "bookkeeping", "apply", "memories", "commit", "advance", "collect",
]  # fmt: skip


def test_step_metrics_carry_each_steps_phases(tmp_path: Path):
    config = experiment(tmp_path, "phases", steps=3)
    with Simulation.open(config) as simulation:
        reports = []
        simulation.run(reports.append)
        with simulation.platform.reader() as reader:
            rows = reader.table(StepMetrics).sort_values("step")
        write_run(simulation)
    stored = list(zip(rows["step"], rows["metrics"], strict=True))
    assert "previous_step_phases" not in stored[0][1]
    assert list(stored[1][1]["previous_step_phases"]) == ["commit", "advance", "collect"]
    seconds = phase_seconds(stored)
    assert list(seconds.columns) == PHASES
    assert [list(r.phases) for r in reports] == [PHASES] * 3
    for report in reports[:-1]:  # the last step's commit is not stored anywhere
        assert seconds.loc[report.step].to_dict() == report.phases
    assert sum(reports[0].phases.values()) <= reports[0].seconds
    summary = (config.output / "summary.md").read_text()
    assert "## Step time by phase" in summary
    assert all(f"| {name} |" in summary for name in [*PHASES, "step"])
