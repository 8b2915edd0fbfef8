"""Information spread: one timeline entry per original, the reader's own state, the star."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from oasis.analysis import cascade_tree
from oasis.config import load_config
from oasis.core.actions import Action, ActionType
from oasis.datasets.population import ScheduledPost
from oasis.loop.results import write_run
from oasis.loop.seed_shares import SeedShares
from oasis.loop.simulation import Simulation
from oasis.loop.step_inputs import entry_ages, one_per_original
from oasis.platform import Platform
from oasis.platform.schema import Post, Trace
from oasis.recsys import Feeds, PostTable
from tests.factories import EXAMPLES, example_file

EXAMPLE = EXAMPLES / "information_spread.yaml"


def test_a_timeline_shows_each_original_once_best_ranked_entry_kept() -> None:
    ids = np.array([1, 2, 3, 4, 5], np.int64)
    posts = PostTable(ids, ids + 10, ids * 1.0, ids * 0, ids * 0, ids * 0)
    roots = np.array([1, 2, 1, 1, 5], np.int64)  # posts 3 and 4 share post 1
    feeds = Feeds(np.array([7, 8, 9]), np.array([0, 4, 4, 7]), np.array([3, 2, 1, 4, 4, 5, 1]))
    kept = one_per_original(feeds, posts, roots)
    assert {u: f.tolist() for u, f in kept} == {7: [3, 2], 8: [], 9: [4, 5]}


def test_an_entry_is_as_old_as_the_share_that_brought_it() -> None:
    # SEISMIC's kernel runs from each reshare's own time: a fresh share of an hour-old post is
    # fresh to the sharer's followers (rows 0 and 1: the original at 0 s and its share at 3540 s)
    posts = PostTable(np.array([1, 2]), np.array([10, 11]), np.array([0.0, 3540.0]),
                      *[np.zeros(2, np.int64)] * 3)  # fmt: skip
    assert entry_ages(posts, np.array([1, 0]), 3600.0).tolist() == [60.0, 3600.0]


def test_reader_state_of_feed_entries(db_url: str) -> None:
    platform = Platform.open(db_url)
    users = pd.DataFrame({"user_id": range(4), "user_name": [f"u{i}" for i in range(4)]})
    platform.load_population(users.assign(name="n", bio=""), np.array([[1, 0]], np.int64))
    (posted,) = platform.apply(0, [Action(0, ActionType.CREATE_POST, {"content": "news"})])
    root = posted.data["post_id"]
    platform.apply(1, [Action(1, ActionType.REPOST, {"post_id": root}),
                       Action(2, ActionType.LIKE_POST, {"post_id": root})])  # fmt: skip
    readers = np.array([1, 2, 3, 0])
    with platform.reader() as reader:
        state = reader.entry_state(readers, np.full(4, root), np.zeros(4, np.int64), np.full(4, -1))
    platform.close()
    assert state["reposted"].tolist() == [True, False, False, False]
    assert state["liked"].tolist() == [False, True, False, False]
    assert state["followed"].tolist() == [True, False, False, False]
    assert not state["comment_voted"].any()


@pytest.mark.slow
def test_information_spread_as_shipped_gives_a_star_and_no_duplicate_actions(tmp_path) -> None:
    config = load_config(EXAMPLE, environ={}).model_copy(update={"output": tmp_path / "out"})
    assert config.steps >= 150 and config.clock.minutes_per_step == 1
    with Simulation.open(config) as simulation:
        simulation.run()
        write_run(simulation)
        with simulation.platform.reader() as reader:
            posts, trace = reader.table(Post), reader.table(Trace)
    tree = cascade_tree(posts[posts["created_step"] < 150], 1, "created_step")
    levels = np.bincount(tree.depth)
    assert tree.depth.max() <= 3 and levels[1] > 0.8 * (len(tree.depth) - 1)
    assert len(tree.depth) > 50
    duplicates = (trace["reason"] == "duplicate").sum()
    assert duplicates < 0.01 * len(trace)
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert (
        "| scale | num_users | 130.000 |" in summary and "| depth | max_depth | 2.000 |" in summary
    )
    comparison = pd.read_csv(tmp_path / "out" / "comparison.csv").set_index("metric")
    final = cascade_tree(posts, 1, "created_step")
    assert comparison.loc["scale", "simulated"] == len(final.user_id)
    assert comparison.loc["scale", "relative_error"] == (len(final.user_id) - 130) / 130
    # the rumour spreads far further than the topic users' own posts
    record = json.loads((tmp_path / "out" / "comparison.json").read_text())
    scale = next(row for row in record["against_others"] if row["metric"] == "scale")
    assert scale["source"] >= 10 * scale["others_median"] and scale["others"] > 10
    assert "## The source against the other posts" in summary


def test_seed_shares_mark_the_entries_of_a_seed_post_its_sharers_see() -> None:
    source = ScheduledPost(None, 7, "news", sharers=(1, 2))
    shares = SeedShares.of([source, ScheduledPost(None, 3, "chatter")], lambda p: 60.0)
    assert shares is not None and shares.authors == (7,)
    ids = np.array([4, 5, 6], np.int64)  # the source is 5; 4 is the author's earlier post
    posts = PostTable(ids, np.array([7, 7, 7]), np.array([0.0, 60.0, 60.0]), *[ids * 0] * 3)
    owners = np.array([1, 2, 3, 1, 1])
    roots = np.array([5, 5, 5, 6, 4])
    assert shares.flags(posts, owners, roots).tolist() == [True, True, False, False, False]
    assert SeedShares.of([ScheduledPost(None, 3, "chatter")], lambda p: 0.0) is None


def test_run_over_seeds_writes_each_curves_mean_and_spread(tmp_path) -> None:
    from typer.testing import CliRunner

    from oasis.cli import app

    experiment = example_file("information_spread", tmp_path, steps=6, output=str(tmp_path / "out"))
    result = CliRunner().invoke(app, ["run", str(experiment), "--seeds", "1-2"])
    assert result.exit_code == 0, result.output
    assert "duplicates 0" in result.output
    stats = pd.read_csv(tmp_path / "out" / "cascades_seeds.csv")
    assert {"scale_mean", "scale_std", "depth_min", "max_breadth_max"} <= set(stats.columns)
    assert len(stats) == 6
    for seed in (1, 2):
        record = json.loads((tmp_path / "out" / f"seed_{seed}" / "comparison.json").read_text())
        assert record["real"] == {"num_users": 130, "max_depth": 2}
    assert "2 seeds" in (tmp_path / "out" / "summary_seeds.md").read_text()
