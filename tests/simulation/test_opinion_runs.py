"""The group-polarization example with heuristic agents: stances, trajectories, measures, plot;
and, at reduced size, the two opinion models' signatures at the level of a whole run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from oasis.analysis.stance import between_group_distance
from oasis.config import ExperimentConfig, load_config
from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "group_polarization.yaml"


def run_example(tmp_path: Path, **update: Any) -> tuple[ExperimentConfig, list[Path]]:
    config = load_config(EXAMPLE, environ={})
    opinions = update.pop("opinions", None)
    if opinions is not None:
        update["opinions"] = config.opinions.model_copy(update=opinions)
    config = config.model_copy(update={"output": tmp_path / "out", **update})
    with Simulation.open(config) as simulation:
        simulation.run()
        return config, write_run(simulation)


def test_group_polarization_runs_as_shipped_with_heuristic_agents(tmp_path: Path) -> None:
    config, written = run_example(tmp_path)
    out = config.output
    names = {p.name for p in written}
    assert {"polarization.csv", "opinions.parquet", "polarization.png", "summary.md"} <= names
    assert (out / "polarization.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    paths = pd.read_parquet(out / "opinions.parquet")
    assert list(paths.columns) == ["step", "agent_id", "group", "stance"]
    assert len(paths) == 392 * (config.steps + 1)  # every agent at every step, and the start
    assert paths["stance"].between(-1, 1).all()
    measures = pd.read_csv(out / "polarization.csv")
    assert set(measures["group"]) == {"all", "conservative", "progressive"}
    assert {"mean", "variance", "extremity", "bimodality"} <= set(measures.columns)
    start = measures[(measures["step"] == -1)].set_index("group")["mean"]
    assert start["conservative"] < -0.3 and start["progressive"] > 0.3  # the camps start apart
    summary = (out / "summary.md").read_text()
    assert "jager_amblard (acceptance=0.3, rejection=0.9" in summary
    assert "positive_herding=0.32, negative_herding=0.32, correction=0.47" in summary
    # heuristic agents answer on the scale; no LLM answer was there to score
    assert "interview scale: -1 (play it safe)" in summary and "stance scorer" not in summary
    assert (
        "197_baoshou.csv row 90, user_name: duplicate name ('mashable' -> 'mashable_2')"
        in (out / "repairs.txt").read_text()
    )
    trace = pd.read_parquet(out / "traces.parquet")
    asked = trace[trace["action"] == "interview"]
    assert len(asked) == 392 * 5  # everyone, at steps 1, 7, 13, 19 and 25
    assert asked["args"].str.contains("on a scale from -1 to 1").all()


def distance(out: Path) -> pd.Series:
    return between_group_distance(pd.read_csv(out / "polarization.csv"))


@pytest.mark.slow
def test_repulsion_drives_the_camps_apart_and_a_wide_bound_brings_them_together(
    tmp_path: Path,
) -> None:
    apart, _ = run_example(tmp_path / "ja", steps=6)
    together, _ = run_example(
        tmp_path / "dw", steps=6,
        opinions={"model": "deffuant", "confidence": 2.0, "convergence": 0.3},
    )  # fmt: skip
    repelled, attracted = distance(apart.output), distance(together.output)
    assert repelled.iloc[0] == pytest.approx(attracted.iloc[0])  # the same start
    assert repelled.iloc[-1] > repelled.iloc[0] + 0.5
    assert attracted.iloc[-1] < attracted.iloc[0] - 0.3
