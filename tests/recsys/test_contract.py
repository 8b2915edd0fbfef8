import numpy as np
import pytest

from oasis.recsys import (
    ActiveUsers,
    ContractViolation,
    Feeds,
    HashingEmbedder,
    PostTable,
    RecsysSettings,
    RecsysState,
    check_recommender,
    make_recommender,
)

KINDS = ["random", "reddit", "interest", "twitter"]


def world(state: RecsysState, seed: int = 7) -> tuple[PostTable, ActiveUsers]:
    """300 posts by 60 authors; 40 active users with followees, mutes and shown posts."""
    rng = np.random.default_rng(seed)
    n_posts, n_users = 300, 60
    post_id = np.arange(1000, 1000 + n_posts)
    author = rng.integers(0, n_users, n_posts)
    counts = [rng.integers(0, 50, n_posts) for _ in range(3)]
    posts = PostTable(post_id, author, rng.uniform(0, 86400, n_posts), *counts)
    words = ["cats", "dogs", "markets", "rates", "football", "music", "rain", "code"]
    texts = [" ".join(rng.choice(words, 3)) for _ in range(n_posts)]
    state.add_posts(post_id, texts)
    state.add_profiles(np.arange(n_users), [" ".join(rng.choice(words, 2)) for _ in range(n_users)])
    active = np.sort(rng.choice(n_users, 40, replace=False))
    followees = rng.integers(0, n_users, (40, 5))
    muted = rng.integers(0, n_users, (40, 2))
    indptr5, indptr2 = np.arange(41) * 5, np.arange(41) * 2
    followers = np.bincount(rng.integers(0, n_users, 5000), minlength=n_users) ** 2
    users = ActiveUsers(
        active, indptr5, followees.ravel(), indptr2, muted.ravel(), np.arange(n_users), followers
    )
    state.shown.add(np.repeat(active, 10), rng.choice(post_id, 400))
    return posts, users


@pytest.mark.parametrize("kind", KINDS)
def test_every_recommender_keeps_the_contract(kind: str) -> None:
    state = RecsysState(HashingEmbedder(32))
    posts, users = world(state)
    # (With ``in_network_stays`` the twitter kind re-shows followees' posts: see test_twitter.)
    settings = RecsysSettings(kind=kind, k=8, in_network_stays=False)
    rec = make_recommender(settings, state.embedder, state)
    feeds = check_recommender(rec, posts, users, now=90000.0, k=8)
    shown = set(zip(*map(np.ndarray.tolist, state.shown.pairs_for(users.user_id)), strict=True))
    for row, (_, feed) in enumerate(feeds):
        assert len(feed) == 8
        assert not {(row, p) for p in feed.tolist()} & shown


@pytest.mark.parametrize("kind", KINDS)
def test_same_world_and_seed_give_the_same_feeds_in_a_fresh_state(kind: str) -> None:
    results = []
    for _ in range(2):
        state = RecsysState(HashingEmbedder(32))
        posts, users = world(state)
        rec = make_recommender(RecsysSettings(kind=kind, k=8), state.embedder, state)
        results.append(rec.recommend(posts, users, 90000.0, np.random.default_rng(11)))
    a, b = results
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.post_id, b.post_id)


class OwnPostsRecommender:
    """Broken on purpose: shows each user their own posts."""

    def __init__(self) -> None:
        self.state = RecsysState(HashingEmbedder(8))

    def recommend(self, posts: PostTable, users: ActiveUsers, now: float, rng) -> Feeds:
        padded = np.full((len(users), 1), -1)
        for i, uid in enumerate(users.user_id):
            own = posts.post_id[posts.author_id == uid]
            padded[i, : min(1, own.size)] = own[:1]
        return Feeds.from_padded(users.user_id, padded)


def test_the_checker_catches_a_broken_recommender() -> None:
    state = RecsysState(HashingEmbedder(32))
    posts, users = world(state)
    with pytest.raises(ContractViolation, match="own posts"):
        check_recommender(OwnPostsRecommender(), posts, users, now=0.0, k=8)


@pytest.mark.parametrize("kind", KINDS)
def test_empty_corpus_and_no_active_users(kind: str) -> None:
    state = RecsysState(HashingEmbedder(8))
    rec = make_recommender(RecsysSettings(kind=kind, k=4), state.embedder, state)
    none = PostTable(
        *(np.zeros(0, dtype=np.int64) for _ in range(2)),
        np.zeros(0),
        *(np.zeros(0, dtype=np.int64) for _ in range(3)),
    )
    users = ActiveUsers.without_lists(np.array([3, 1]))
    feeds = check_recommender(rec, none, users, now=0.0, k=4)
    assert feeds.user_id.tolist() == [3, 1] and feeds.post_id.size == 0
    posts, _ = world(state)
    nobody = ActiveUsers.without_lists(np.zeros(0, dtype=np.int64))
    assert len(check_recommender(rec, posts, nobody, now=0.0, k=4)) == 0
