"""The spread-at-scale example at test size: its cascade facts agree with its trees, and
``oasis export --graph cascades`` writes those trees."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from typer.testing import CliRunner

from oasis.cli import app
from oasis.config import load_config
from oasis.loop.results import write_run
from oasis.loop.simulation import Simulation

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cascades_at_scale.yaml"


def run_scaled(output: Path) -> Path:
    """The example at 2,000 users for 6 steps, busier than the sourced defaults so that a short
    run has cascades to describe: everyone reads 3 feeds an hour and shares 20% of entries."""
    config = load_config(EXAMPLE, environ={})
    rates = config.policy.heuristic.model_copy(update={"repost": 0.2})
    config = config.model_copy(
        update={
            "output": output,
            "steps": 6,
            "population": config.population.model_copy(update={"n_users": 2000}),
            "activation": config.activation.model_copy(
                update={"kind": "uniform", "views_per_hour": 3.0}
            ),
            "policy": config.policy.model_copy(update={"heuristic": rates}),
            "analysis": config.analysis.model_copy(update={"cascade_min_users": 4}),
        }
    )
    with Simulation.open(config) as simulation:
        simulation.run()
        write_run(simulation)
    return output


def check_facts(fact, tree: pd.DataFrame) -> None:
    assert fact.scale == len(tree) >= 4 and tree["user_id"].is_unique
    assert fact.depth == tree["depth"].max()
    assert fact.max_breadth == tree.loc[tree["depth"] > 0, "depth"].value_counts().max()
    graph = nx.Graph(tree.loc[tree["parent"] >= 0, ["node", "parent"]].to_numpy().tolist())
    assert math.isclose(fact.structural_virality, nx.average_shortest_path_length(graph))
    elapsed = np.sort(tree["minute"].to_numpy() - tree["minute"].iloc[0])
    assert fact.minutes_to_half == elapsed[math.ceil(len(tree) / 2) - 1]
    assert fact.minutes_to_90 == elapsed[math.ceil(0.9 * len(tree)) - 1]


def test_cascade_facts_agree_with_the_trees_and_export_writes_them(tmp_path: Path) -> None:
    out = run_scaled(tmp_path / "out")
    facts = pd.read_csv(out / "cascade_facts.csv")
    assert list(facts.columns) == [
        "root_post_id", "scale", "depth", "max_breadth", "structural_virality",
        "minutes_to_half", "minutes_to_90",
    ]  # fmt: skip
    assert len(facts) > 0 and (facts["scale"] >= 4).all()
    trees = pd.read_parquet(out / "cascade_trees.parquet")
    assert set(trees["root_post_id"]) == set(facts["root_post_id"])
    for fact in facts.itertuples():
        check_facts(fact, trees[trees["root_post_id"] == fact.root_post_id])
    root = int(facts.loc[facts["scale"].idxmax(), "root_post_id"])
    target = tmp_path / "tree.graphml"
    result = CliRunner().invoke(
        app, ["export", str(out), "--graph", "cascades", "--root", str(root), "--out", str(target)]
    )
    assert result.exit_code == 0, result.output
    exported = nx.read_graphml(target)
    tree = trees[trees["root_post_id"] == root]
    assert exported.number_of_nodes() == len(tree)
    assert {int(n) for n in exported.nodes} == set(tree["post_id"])
