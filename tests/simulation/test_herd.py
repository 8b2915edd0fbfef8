"""The herd-effect setup: seed posts, first comments and planted votes, found again by the loop."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from oasis.datasets import load_counterfactual
from oasis.datasets.settings import BUILTIN_DATA
from oasis.loop.herd_threads import AGENTS_FROM, herd_threads, thread_places
from oasis.loop.simulation import Simulation
from oasis.platform.schema import CommentDislike, CommentLike
from tests.factories import experiment

SEED_FILE = BUILTIN_DATA / "reddit" / "counterfactual_36.json"


def test_threads_get_their_comment_and_planted_vote(herd_run):
    _, table = herd_run
    groups = load_counterfactual(SEED_FILE)["group"][:12]
    assert list(table["group"]) == list(groups)
    score = table["num_likes"] - table["num_dislikes"]
    expected = {"up": 1, "down": -1, "control": 0}
    assert list(score) == [expected[g] for g in groups]


def test_no_agent_sees_a_thread_before_its_planted_vote(tmp_path: Path) -> None:
    # Muchnik et al. (2013) planted the vote as the comment was made, before anyone saw it
    config = experiment(
        tmp_path, "first-seen", steps=AGENTS_FROM + 1, platform={"kind": "reddit"},
        activation={"kind": "uniform", "views_per_hour": 3.0},
        herd={"path": str(SEED_FILE), "threads": 12},
    )  # fmt: skip
    with Simulation.open(config) as simulation:
        simulation.run()
        with simulation.platform.reader() as reader:
            fed = [reader.feeds(step) for step in range(config.steps)]
            votes = pd.concat([reader.table(CommentLike), reader.table(CommentDislike)])
    assert all(feed is None or len(feed.post_ids) == 0 for feed in fed[:AGENTS_FROM])
    assert fed[AGENTS_FROM] is not None and len(fed[AGENTS_FROM].post_ids) > 0
    planted = load_counterfactual(SEED_FILE)["group"][:12].isin(["up", "down"]).sum()
    assert (votes["created_step"] < AGENTS_FROM).sum() == planted


def test_each_seed_draws_who_posts_which_thread() -> None:
    # the posts are made at one step and numbered by author: a thread's place decides where the
    # feeds rank it, so it is drawn per run rather than following the seed file's order
    frame = load_counterfactual(SEED_FILE)
    first, again, other = (herd_threads(frame, 36, seed) for seed in (1, 1, 2))
    assert first == again and first != other
    places = thread_places(len(frame), 1)
    assert sorted(places) == list(range(len(frame)))
    assert [t.author for t in first] == [p % 36 for p in places]
    assert [t.commenter for t in first] == [(p + 1) % 36 for p in places]
    assert [t.group for t in first] == list(frame["group"])  # treatments stay the file's
