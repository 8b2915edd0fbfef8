"""Simulated cascades against real ones: final figures, per-minute NRMSE, the compare command."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from oasis.analysis.comparison import against_others, final_comparison, load_real_curves, nrmse
from oasis.cli import app
from oasis.errors import RunError
from oasis.loop.seeds import parse_seeds

MINUTES = np.arange(200)  # the real curve runs past the 150 scored minutes
REAL = pd.DataFrame(
    {"minute": MINUTES, "scale": 10, "depth": 2, "max_breadth": np.minimum(MINUTES, 149)}
)
# Simulated: scale 5 until minute 75, then 10; depth 2 from minute 10 (0 before it); no breadth.
SIMULATED = pd.DataFrame(
    {"time": [10.0, 75.0, 180.0], "scale": [5, 10, 10], "depth": [2, 2, 2], "max_breadth": 0}
)
# By hand: scale is 10 off (0 before minute 10) for 10 minutes and 5 off for 65 of 150;
# depth is 2 off for 10 minutes; breadth is m off at minute m, the real peak 149.
EXPECTED = {
    "scale": math.sqrt((10 * 100 + 65 * 25) / 150) / 10,
    "depth": math.sqrt(10 * 4 / 150) / 2,
    "max_breadth": math.sqrt(sum(m * m for m in range(150)) / 150) / 149,
}


def test_nrmse_of_hand_written_curves() -> None:
    assert nrmse(SIMULATED, REAL) == pytest.approx(EXPECTED)


def test_a_perfect_copy_scores_zero_and_the_horizon_is_a_setting() -> None:
    copy = REAL.rename(columns={"minute": "time"})
    assert nrmse(copy, REAL) == pytest.approx(dict.fromkeys(EXPECTED, 0.0))
    assert nrmse(SIMULATED, REAL, horizon=10)["scale"] == pytest.approx(1.0)


def test_real_curves_from_csv_and_from_oasis_pickles(tmp_path) -> None:
    REAL.to_csv(tmp_path / "real.csv", index=False)
    lists = {m: REAL[m].tolist() for m in ("scale", "depth", "max_breadth")}
    (tmp_path / "real.pkl").write_bytes(pickle.dumps(lists))
    (tmp_path / "list.pkl").write_bytes(pickle.dumps(list(lists.values())))
    for name in ("real.csv", "real.pkl", "list.pkl"):
        loaded = load_real_curves(tmp_path / name)
        assert nrmse(SIMULATED, loaded) == pytest.approx(EXPECTED)
    (tmp_path / "bad.csv").write_text("minute,scale\n0,1\n")
    with pytest.raises(ValueError, match="missing column"):
        load_real_curves(tmp_path / "bad.csv")


def test_final_figures_and_relative_errors() -> None:
    table = final_comparison(
        {"scale": 65, "depth": 3, "max_breadth": 60}, {"num_users": 130, "max_depth": 2}
    ).set_index("metric")
    assert table.loc["scale", ["real", "simulated", "relative_error"]].tolist() == [130, 65, -0.5]
    assert table.loc["depth", "relative_error"] == 0.5
    assert math.isnan(table.loc["max_breadth", "real"])


def test_compare_command_states_alignment_and_scores(tmp_path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    SIMULATED.assign(root_post_id=7).to_csv(run / "cascades.csv", index=False)
    (run / "comparison.json").write_text(json.dumps({"root_post_id": 7}))
    REAL.to_csv(tmp_path / "real.csv", index=False)
    result = CliRunner().invoke(app, ["compare", str(run), str(tmp_path / "real.csv")])
    assert result.exit_code == 0, result.output
    assert "alignment: minute 0 = the source tweet" in result.output
    assert f"scale: NRMSE {EXPECTED['scale']:.3f}" in result.output
    missing = CliRunner().invoke(app, ["compare", str(run), str(tmp_path / "none.csv")])
    assert missing.exit_code == 2


def test_seed_lists() -> None:
    assert parse_seeds("1-5") == (1, 2, 3, 4, 5)
    assert parse_seeds("1-3,9,2") == (1, 2, 3, 9)
    with pytest.raises(RunError):
        parse_seeds("one")


def test_the_source_against_the_other_posts_final_figures():
    cascades = pd.DataFrame(
        {
            "root_post_id": [1, 1, 2, 2, 3, 3, 4, 4],
            "time": [0.0, 5.0] * 4,
            "scale": [1, 40, 1, 1, 1, 3, 1, 2],
            "depth": [0, 2, 0, 0, 0, 1, 0, 1],
            "max_breadth": [0, 35, 0, 0, 0, 2, 0, 1],
        }
    )
    table = against_others(cascades, 1).set_index("metric")
    assert table.loc["scale"].tolist() == [40, 2, 3, 3, 20]
    assert table.loc["depth", "others_median"] == 1 and table.loc["depth", "ratio"] == 2
    missing = against_others(cascades, 9).set_index("metric")
    assert missing.loc["scale", "source"] == 0 and missing.loc["scale", "others"] == 4


def test_posts_nobody_shared_count_as_cascades_of_one():
    cascades = pd.DataFrame(
        {"root_post_id": [1, 2], "time": [5.0, 5.0], "scale": [40, 3], "depth": [2, 1],
         "max_breadth": [35, 2]}
    )  # fmt: skip
    table = against_others(cascades, 1, np.array([1, 2, 5, 6])).set_index("metric")
    assert table.loc["scale"].tolist() == [40, 1, 3, 3, 40]
    assert table.loc["depth", "others_median"] == 0
