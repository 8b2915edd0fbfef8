"""The herd-effect setup: seed posts, first comments and planted votes, found again by the loop."""

from __future__ import annotations

from oasis.datasets import load_counterfactual
from oasis.datasets.settings import BUILTIN_DATA


def test_threads_get_their_comment_and_planted_vote(herd_run):
    _, table = herd_run
    groups = load_counterfactual(BUILTIN_DATA / "reddit" / "counterfactual_36.json")["group"][:12]
    assert list(table["group"]) == list(groups)
    score = table["num_likes"] - table["num_dislikes"]
    expected = {"up": 1, "down": -1, "control": 0}
    assert list(score) == [expected[g] for g in groups]
