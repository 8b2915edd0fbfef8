from pathlib import Path

import numpy as np
import pytest

from oasis.recsys import (
    Feeds,
    HashingEmbedder,
    RecsysError,
    RecsysSettings,
    RecsysState,
    make_recommender,
)
from oasis.recsys.shown import ShownStore
from tests.recsys.cases import posts_table, users_table


def test_feeds_from_padded_rows_and_dict() -> None:
    feeds = Feeds.from_padded(np.array([4, 9, 2]), np.array([[7, 8], [-1, -1], [5, -1]]))
    assert {u: f.tolist() for u, f in feeds.as_dict().items()} == {4: [7, 8], 9: [], 2: [5]}
    users, posts, rank = feeds.rows()
    assert (
        users.tolist() == [4, 4, 2] and posts.tolist() == [7, 8, 5] and rank.tolist() == [0, 1, 0]
    )


def test_shown_store_keeps_pairs_per_user() -> None:
    shown = ShownStore()
    shown.add(np.array([5, 5, 2]), np.array([30, 10, 30]))
    shown.add(np.array([5, 7]), np.array([30, 11]))
    assert len(shown) == 4
    rows, posts = shown.pairs_for(np.array([7, 5, 3]))
    assert rows.tolist() == [0, 1, 1] and posts.tolist() == [11, 10, 30]
    shown.retain_posts(np.array([30, 11]))
    assert shown.pairs_for(np.array([5]))[1].tolist() == [30]


def test_ids_beyond_the_key_range_are_refused() -> None:
    with pytest.raises(RecsysError):
        ShownStore().add(np.array([1]), np.array([2**31]))


def test_save_and_load_give_the_same_feeds(tmp_path: Path) -> None:
    embedder = HashingEmbedder(16)
    settings = RecsysSettings(kind="twitter", k=3)
    rec = make_recommender(settings, embedder)
    texts = ["cats", "dogs and cats", "markets", "rates rise", "cat food", "dog park"]
    rec.state.add_posts(np.arange(6), texts)
    rec.state.add_profiles(np.array([100, 101]), ["I like cats", "I follow markets"])
    posts = posts_table([(p, 100 + p % 3, float(p), p, 0, 0) for p in range(6)])
    users = users_table([100, 101], followees={100: [102]})
    rec.state.observe_engagement(np.array([101]), np.array([1]))
    rec.state.record_shown(rec.recommend(posts, users, 10.0, np.random.default_rng(0)))
    rec.state.save(tmp_path / "recsys.npz")
    loaded = RecsysState.load(tmp_path / "recsys.npz", embedder)
    again = make_recommender(settings, embedder, loaded)
    a = rec.recommend(posts, users, 10.0, np.random.default_rng(0))
    b = again.recommend(posts, users, 10.0, np.random.default_rng(0))
    assert a.as_dict().keys() == b.as_dict().keys()
    assert all(np.array_equal(a.as_dict()[u], b.as_dict()[u]) for u in (100, 101))
    assert len(loaded.shown) == len(rec.state.shown) > 0
    assert loaded.add_posts(np.arange(6), texts) == 0
    with pytest.raises(RecsysError, match="dimension"):
        RecsysState.load(tmp_path / "recsys.npz", HashingEmbedder(8))


def test_settings_are_frozen_and_strict() -> None:
    settings = RecsysSettings()
    with pytest.raises(ValueError):
        RecsysSettings(kind="twitter", unknown=1)  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        settings.k = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        RecsysSettings(kind="tiktok")  # type: ignore[arg-type]
