"""The herd-effect example: every seed thread placed; the social influence of Muchnik et al.
(2013) decides whether and how a planted vote sways the agents (reduced size, two seeds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from oasis.analysis.herd import herd_intervals, permutation_tests
from oasis.config import load_config
from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation
from tests.factories import EXAMPLES, example_file

EXAMPLE = EXAMPLES / "reddit_herd_effect.yaml"


NO_INFLUENCE = {"positive_herding": 0.0, "negative_herding": 0.0, "correction": 0.0}


def run_herd(tmp_path: Path, name: str, influence: dict[str, float] | None = None, **update: Any):
    config = load_config(EXAMPLE, environ={})
    if influence is not None:
        rates = config.policy.heuristic.model_copy(
            update={**influence, "comment_vote": 0.5, "comment": 0.0}
        )
        update["policy"] = config.policy.model_copy(update={"heuristic": rates})
    config = config.model_copy(update={"output": tmp_path / name, **update})
    with Simulation.open(config) as simulation:
        simulation.run()
        table = simulation.herd_table()
        write_run(simulation)
    assert table is not None
    return config, table


def test_the_herd_example_places_all_220_threads(tmp_path: Path) -> None:
    config, table = run_herd(tmp_path, "all", steps=3)
    assert len(table) == 220
    planted = {"up": (1, 0), "down": (0, 1), "control": (0, 0)}
    # no agent acts before step 3, so the planted vote is a first comment's only vote by then
    assert all(
        (row.num_likes, row.num_dislikes) == planted[row.group] for row in table.itertuples()
    )
    summary = (config.output / "summary.md").read_text()
    assert "counterfactual_36.json row 149, selftext: stray whitespace" in summary
    intervals = pd.read_csv(config.output / "herd.csv", index_col="group")
    assert intervals["threads"].sum() == 220
    assert (config.output / "herd_tests.csv").exists()


REDUCED = {"steps": 8, "activation": {"kind": "uniform", "views_per_hour": 1.0}}


def two_seeds(tmp_path: Path, influence: dict[str, float]) -> pd.DataFrame:
    tables = []
    for seed in (4, 5):
        config = load_config(EXAMPLE, environ={})
        update = {
            "seed": seed,
            "herd": config.herd.model_copy(update={"threads": 90}),
            "activation": config.activation.model_copy(update=REDUCED["activation"]),
            "steps": REDUCED["steps"],
        }
        _, table = run_herd(tmp_path, f"{sum(influence.values())}-{seed}", influence, **update)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def overlap(table: pd.DataFrame, a: str, b: str, measure: str = "score") -> bool:
    return bool(
        table.loc[a, f"lo_{measure}"] <= table.loc[b, f"hi_{measure}"]
        and table.loc[b, f"lo_{measure}"] <= table.loc[a, f"hi_{measure}"]
    )


@pytest.mark.slow
def test_without_influence_the_groups_intervals_overlap(tmp_path: Path) -> None:
    comments = two_seeds(tmp_path, NO_INFLUENCE)
    table = herd_intervals(comments)
    assert table["seeds"].tolist() == [2, 2, 2]
    assert table["threads"].sum() == 180
    assert overlap(table, "up", "control") and overlap(table, "down", "control")
    assert overlap(table, "up", "down")
    tests = permutation_tests(comments).set_index("comparison")
    assert (tests["p_value"] > 0.05).all()


@pytest.mark.slow
def test_with_muchniks_influence_up_rises_and_down_is_corrected(tmp_path: Path) -> None:
    comments = two_seeds(tmp_path, {})  # the shipped defaults
    table = herd_intervals(comments)
    means = table["mean_score"]
    assert means["up"] > means["control"]
    assert means["down"] >= means["control"]  # corrected, not sunk
    assert table.loc["down", "mean_likes"] > table.loc["control", "mean_likes"]  # correction
    assert table.loc["up", "mean_likes"] > table.loc["control", "mean_likes"]  # herding


def test_a_herd_run_over_seeds_tests_the_groups_on_every_seeds_threads(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from oasis.cli import app

    experiment = example_file("reddit_herd_effect", tmp_path, steps=4, output=str(tmp_path / "out"))
    result = CliRunner().invoke(app, ["run", str(experiment), "--seeds", "1-2"])
    assert result.exit_code == 0, result.output
    threads = pd.read_csv(tmp_path / "out" / "seed_2" / "herd_threads.csv")
    assert len(threads) == 220 and set(threads["seed"]) == {2}
    intervals = pd.read_csv(tmp_path / "out" / "herd.csv", index_col="group")
    assert intervals["seeds"].tolist() == [2, 2, 2] and intervals["threads"].sum() == 440
    tests = pd.read_csv(tmp_path / "out" / "herd_tests.csv")
    # the tests permute threads, each summed over both seeds (its planted vote is the same)
    assert tests["n_control"].tolist()[:2] == [(threads["group"] == "control").sum()] * 2
    assert set(tests["measure"]) == {"score", "score_per_view", "likes_per_view"}
    assert threads["views"].sum() > 0
    assert "Herd effect over the seeds" in (tmp_path / "out" / "summary_seeds.md").read_text()
