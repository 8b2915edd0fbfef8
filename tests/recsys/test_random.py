import numpy as np

from oasis.recsys import RecsysSettings, RecsysState, make_recommender
from tests.recsys.cases import posts_table, users_table


def draw(state: RecsysState, posts, users, seed: int, k: int = 3) -> dict[int, list[int]]:
    rec = make_recommender(RecsysSettings(kind="random", k=k), state.embedder, state)
    return {u: f.tolist() for u, f in rec.recommend(posts, users, 0.0, np.random.default_rng(seed))}


def test_k_allowed_posts_and_the_seed_decides(state: RecsysState) -> None:
    posts = posts_table([(p, p % 50, 0.0, 0, 0, 0) for p in range(500)])
    users = users_table(list(range(20)), muted={u: [(u + 1) % 50] for u in range(20)})
    first = draw(state, posts, users, seed=1)
    assert first == draw(state, posts, users, seed=1)
    assert first != draw(state, posts, users, seed=2)
    for uid, feed in first.items():
        authors = {p % 50 for p in feed}
        assert len(set(feed)) == 3 and uid not in authors and (uid + 1) % 50 not in authors


def test_small_corpus_gives_every_allowed_post(state: RecsysState) -> None:
    posts = posts_table([(1, 1, 0.0, 0, 0, 0), (2, 2, 0.0, 0, 0, 0), (3, 3, 0.0, 0, 0, 0)])
    out = draw(state, posts, users_table([1, 4], muted={4: [2]}), seed=0, k=5)
    assert sorted(out[1]) == [2, 3] and sorted(out[4]) == [1, 3]


def test_draws_cover_the_allowed_posts(state: RecsysState) -> None:
    posts = posts_table([(p, 100 + p, 0.0, 0, 0, 0) for p in range(40)])
    out = draw(state, posts, users_table(list(range(200))), seed=3, k=2)
    counts = np.bincount(np.concatenate([np.asarray(f) for f in out.values()]), minlength=40)
    assert counts.sum() == 400 and counts.min() > 0
