"""Graphs through networkx: follow subgraphs and cascade trees, and the streaming exports."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from oasis.analysis.graphs import (
    FORMATS,
    cascade_digraph,
    cut_follows,
    follow_digraph,
    write_graph,
)
from oasis.cli import app
from oasis.loop.results import write_run
from oasis.loop.run_tables import open_run
from oasis.loop.simulation import Simulation
from tests.factories import experiment


def _read(path: Path, fmt: str) -> nx.DiGraph:
    if fmt == "graphml":
        return nx.read_graphml(path, node_type=int)
    if fmt == "gexf":
        return nx.relabel_nodes(nx.read_gexf(path), int)
    return nx.read_edgelist(path, nodetype=int, create_using=nx.DiGraph)


def test_k_core_peels_until_every_node_has_degree_k() -> None:
    triangle = [[0, 1], [1, 2], [2, 0]]
    tail = [[2, 3], [3, 4]]
    pairs = np.array(triangle + tail, np.int64)
    assert cut_follows(pairs, k_core=2).tolist() == triangle
    assert cut_follows(pairs, users=np.array([2, 3, 4])).tolist() == tail
    expected = nx.k_core(nx.Graph(pairs.tolist()), 2)
    assert set(np.unique(cut_follows(pairs, k_core=2)).tolist()) == set(expected.nodes)


def test_follow_digraph_with_user_attributes() -> None:
    users = pd.DataFrame({"user_id": [0, 1, 2], "user_name": ["a", "b", "c"]})
    graph = follow_digraph(np.array([[0, 1], [2, 1], [0, 5]], np.int64), users)
    assert sorted(graph.edges) == [(0, 1), (2, 1)]
    assert graph.nodes[2]["user_name"] == "c"


def test_cascade_digraph_is_the_share_tree() -> None:
    posts = pd.DataFrame(
        {
            "post_id": [1, 2, 3, 4],
            "user_id": [10, 11, 12, 13],
            "original_post_id": [None, 1, 1, None],
            "parent_post_id": [None, 1, 2, None],
            "created_step": [0, 1, 2, 2],
        }
    )
    graph = cascade_digraph(posts, 1)
    assert nx.is_tree(graph) and sorted(graph.edges) == [(1, 2), (2, 3)]
    assert graph.nodes[3]["user_id"] == 12 and graph.nodes[3]["depth"] == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_streamed_files_read_back_as_the_same_graph(tmp_path: Path, fmt: str) -> None:
    rng = np.random.default_rng(0)
    pairs = np.unique(rng.integers(0, 300, (2000, 2)), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    labels = {int(u): f"user<{u}>&" for u in np.unique(pairs)}
    path = tmp_path / f"g.{fmt}"
    assert write_graph(path, pairs, fmt, labels) == len(pairs)  # type: ignore[arg-type]
    read = _read(path, fmt)
    assert set(read.edges) == set(map(tuple, pairs.tolist()))
    if fmt != "edgelist":
        assert read.nodes[int(pairs[0, 0])]["label"] == labels[int(pairs[0, 0])]


@pytest.fixture(scope="module", params=["twitter", "reddit"])
def finished_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    kind = request.param
    config = experiment(
        tmp_path_factory.mktemp(kind), kind, steps=4, platform={"kind": kind},
        recsys={"kind": "twitter" if kind == "twitter" else "reddit", "k": 5},
        policy={"heuristic": {"repost": 0.4, "follow": 0.5}} if kind == "twitter" else {},
    )  # fmt: skip
    with Simulation.open(config) as simulation:
        simulation.run()
        write_run(simulation)
    return config.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_oasis_export_follows_matches_the_networkx_graph(finished_run: Path, fmt: str) -> None:
    out = finished_run / f"f.{fmt}"
    result = CliRunner().invoke(
        app, ["export", str(finished_run), "--graph", "follows", "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with open_run(finished_run) as run:
        expected = run.follow_graph()
        assert len(run.follows()) == expected.number_of_edges() > 0
        lonely = len(run.users()) - len(np.unique(run.follow_pairs()))
    read = _read(out, fmt)
    assert set(read.edges) == set(expected.edges)
    if fmt != "edgelist":  # users without follows are nodes too: degree zeros are kept
        assert lonely > 0 and set(read.nodes) == set(expected.nodes)


def test_export_follows_by_step_sample_and_core(finished_run: Path, tmp_path: Path) -> None:
    with open_run(finished_run) as run:
        at_start = run.follow_pairs(until_step=-1)
        assert len(at_start) <= len(run.follow_pairs())
        out = tmp_path / "s.txt"
        args = ["export", str(finished_run), "--format", "edgelist", "--out", str(out)]
        runner = CliRunner()
        assert runner.invoke(app, [*args, "--until-step", "-1"]).exit_code == 0
        assert _read(out, "edgelist").number_of_edges() == len(at_start)
        assert runner.invoke(app, [*args, "--sample", "20"]).exit_code == 0
        assert len(set(_read(out, "edgelist").nodes)) <= 20
        assert runner.invoke(app, [*args, "--k-core", "3"]).exit_code == 0
        core = nx.k_core(nx.Graph(run.follow_graph().to_undirected()), 3)
        assert set(_read(out, "edgelist").nodes) == set(core.nodes)


def test_export_cascades_as_graphml(finished_run: Path) -> None:
    out = finished_run / "cascades.graphml"
    result = CliRunner().invoke(app, ["export", str(finished_run), "--graph", "cascades"])
    assert result.exit_code == 0, result.output
    read = _read(out, "graphml")
    with open_run(finished_run) as run:
        posts = run.posts()
        shares = posts["original_post_id"].notna().sum()
        assert read.number_of_edges() == shares
        if shares:
            root = int(posts["original_post_id"].dropna().iloc[0])
            tree = run.cascade_graph(root)
            assert set(tree.edges) <= set(read.edges)


@pytest.mark.postgres
def test_export_of_a_postgresql_runs_results_folder(tmp_path: Path, postgres_url: str) -> None:
    """The folder has no oasis.db: its run.json names the database."""
    config = experiment(tmp_path, "pg", steps=1, database=postgres_url)
    with Simulation.open(config) as simulation:
        simulation.run()
    out = tmp_path / "follows.txt"
    args = ["export", str(config.output), "--format", "edgelist", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    with open_run(postgres_url) as run:
        assert len(out.read_text().splitlines()) == len(run.follows()) > 0
