import numpy as np
import pytest

from oasis.recsys import RecsysSettings, RecsysState, make_recommender
from oasis.recsys.scoring import REDDIT_EPOCH_S, hot_score
from tests.recsys.cases import posts_table, users_table

RNG = np.random.default_rng(0)


@pytest.mark.parametrize(
    ("likes", "dislikes", "t", "expected"),
    [(0, 0, 0.0, 0.0), (100, 0, 0.0, 2.0), (0, 10, 0.0, -1.0), (1, 0, 45000.0, 1.0)],
)
def test_hot_score_formula(likes: int, dislikes: int, t: float, expected: float) -> None:
    posts = posts_table([(1, 1, REDDIT_EPOCH_S + t, likes, dislikes, 0)])
    assert hot_score(posts)[0] == pytest.approx(expected)


def feeds(state: RecsysState, posts, users, k: int = 3) -> dict[int, list[int]]:
    rec = make_recommender(RecsysSettings(kind="reddit", k=k), state.embedder, state)
    return {u: f.tolist() for u, f in rec.recommend(posts, users, 0.0, RNG)}


def test_newer_post_beats_older_with_equal_votes(state: RecsysState) -> None:
    posts = posts_table([(1, 7, 1000.0, 5, 1, 0), (2, 8, 2000.0, 5, 1, 0)])
    assert feeds(state, posts, users_table([1]))[1] == [2, 1]


def test_votes_then_time_order_the_global_list(state: RecsysState) -> None:
    posts = posts_table(
        [
            (1, 9, 0.0, 1000, 0, 0),
            (2, 9, 45000.0, 1, 0, 0),
            (3, 9, 0.0, 0, 50, 0),
            (4, 9, 0.0, 9, 0, 0),
        ]
    )
    # scores: 3.0, 1.0, -1.7, 0.95
    assert feeds(state, posts, users_table([1, 2]), k=4) == {1: [1, 2, 4, 3], 2: [1, 2, 4, 3]}


def test_own_muted_and_shown_posts_never_appear(state: RecsysState) -> None:
    posts = posts_table([(p, 10 + p % 3, float(p), 0, 0, 0) for p in range(1, 13)])
    users = users_table([10, 11], muted={11: [12]})
    first = feeds(state, posts, users, k=3)
    assert first == {10: [11, 10, 8], 11: [12, 9, 6]}
    rec = make_recommender(RecsysSettings(kind="reddit", k=3), state.embedder, state)
    state.record_shown(rec.recommend(posts, users, 0.0, RNG))
    assert feeds(state, posts, users, k=3) == {10: [7, 5, 4], 11: [3]}


def test_pool_widens_for_users_who_saw_the_top(state: RecsysState) -> None:
    posts = posts_table([(p, 1000, float(p), 0, 0, 0) for p in range(100)])
    state.shown.add(np.full(90, 5), np.arange(10, 100))
    assert feeds(state, posts, users_table([5, 6]), k=2) == {5: [9, 8], 6: [99, 98]}
