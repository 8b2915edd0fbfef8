from collections.abc import Iterator

import numpy as np
import pytest

from oasis.recsys import HashingEmbedder, RecsysSettings, RecsysState, make_recommender
from oasis.recsys.retrieval import PostIndex, Quantizer, choose_index, contenders
from tests.recsys.cases import posts_table, put_posts, put_profiles, users_table

RNG = np.random.default_rng(0)
HOUR = 3600.0


def feeds(state: RecsysState, posts, users, now: float, k: int = 2, **kw) -> dict[int, list[int]]:
    settings = RecsysSettings(kind="interest", k=k, recency_half_life_s=HOUR, **kw)
    rec = make_recommender(settings, state.embedder, state)
    return {u: f.tolist() for u, f in rec.recommend(posts, users, now, RNG)}


def test_similar_topic_first_and_newer_beats_older(state: RecsysState) -> None:
    put_profiles(state, {1: 0})
    put_posts(state, {10: 0, 11: 0, 12: 1})
    posts = posts_table([(10, 5, 0.0, 9, 0, 0), (11, 5, HOUR, 0, 0, 0), (12, 6, 2 * HOUR, 0, 0, 0)])
    assert feeds(state, posts, users_table([1]), now=2 * HOUR, k=3) == {1: [11, 10, 12]}


def test_recency_is_recomputed_from_age_every_step(state: RecsysState) -> None:
    put_profiles(state, {1: 0})
    state.interests.profiles.put(np.array([1]), np.array([[0.8, 0.6, 0, 0, 0, 0, 0, 0]], "f4"))
    put_posts(state, {10: 0, 11: 1})
    posts = posts_table([(10, 5, 0.0, 0, 0, 0), (11, 5, 10 * HOUR, 0, 0, 0)])
    users = users_table([1])
    assert feeds(state, posts, users, now=0.0, k=1) == {1: [10]}
    # ten hours on, the older on-topic post has decayed below the fresh, less similar one
    assert feeds(state, posts, users, now=10 * HOUR, k=1) == {1: [11]}


def test_own_muted_and_shown_posts_are_excluded(state: RecsysState) -> None:
    put_profiles(state, {1: 0})
    put_posts(state, {10: 0, 11: 0, 12: 0, 13: 0, 14: 1})
    posts = posts_table(
        [(p, a, 0.0, 0, 0, 0) for p, a in [(10, 1), (11, 7), (12, 8), (13, 9), (14, 9)]]
    )
    state.shown.add(np.array([1]), np.array([12]))
    assert feeds(state, posts, users_table([1], muted={1: [7]}), now=0.0, k=5) == {1: [13, 14]}


def test_a_liked_topic_rises_in_later_feeds(state: RecsysState) -> None:
    put_profiles(state, {1: 0})
    put_posts(state, {10: 0, 11: 1, 20: 1, 21: 1})
    posts = posts_table([(10, 5, 0.0, 0, 0, 0), (11, 5, 0.0, 0, 0, 0)])
    users = users_table([1])
    assert feeds(state, posts, users, now=0.0, k=1) == {1: [10]}
    state.observe_engagement(np.array([1, 1]), np.array([20, 21]))  # likes two topic-1 posts
    assert feeds(state, posts, users, now=0.0, k=1) == {1: [11]}


def test_engagement_is_a_documented_moving_average() -> None:
    state = RecsysState(HashingEmbedder(4), interest_rate=0.25)
    profile = np.array([[1.0, 0, 0, 0]], "f4")
    state.interests.profiles.put(np.array([3]), profile)
    state.posts.put(np.array([7, 8]), np.array([[0, 1.0, 0, 0], [0, 0, 1.0, 0]], "f4"))
    state.observe_engagement(np.array([3, 3]), np.array([7, 8]))
    expected = 0.75 * (0.75 * profile[0] + 0.25 * np.array([0, 1, 0, 0])) + 0.25 * np.eye(4)[2]
    np.testing.assert_allclose(state.interests.raw(np.array([3]))[0], expected, rtol=1e-6)


def test_index_kind_is_chosen_by_corpus_size() -> None:
    settings = RecsysSettings(flat_max_posts=100)
    assert choose_index(100, settings) == "flat"
    assert choose_index(101, settings) == "ivf"
    assert choose_index(10, RecsysSettings(index="hnsw")) == "hnsw"


@pytest.fixture
def two_openmp_threads() -> Iterator[None]:
    """faiss with two OpenMP threads, as on a two-core machine (the suite's processes run with one,
    see tests/conftest.py), so an index built in a racy parallel order would differ run to run."""
    import faiss

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)
    yield
    faiss.omp_set_num_threads(threads)


@pytest.mark.usefixtures("two_openmp_threads")
@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_approximate_indexes_agree_with_exact_search(kind: str) -> None:
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(20, 16))
    posts = (centers[rng.integers(0, 20, 4000)] + 0.3 * rng.normal(size=(4000, 16))).astype("f4")
    queries = centers[:50].astype("f4")
    exact = PostIndex(posts, RecsysSettings(index="flat")).search(queries, 10)
    approx = PostIndex(posts, RecsysSettings(index=kind)).search(queries, 10)
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)])
    assert recall >= 0.9
    again = PostIndex(posts, RecsysSettings(index=kind)).search(queries, 10)
    np.testing.assert_array_equal(again, approx)


def test_exact_retrieval_matches_a_brute_force_ranking() -> None:
    rng = np.random.default_rng(8)
    state = RecsysState(HashingEmbedder(16))
    n_posts, user_ids = 400, np.arange(100, 130)
    vectors = rng.standard_normal((n_posts, 16)).astype("f4")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    state.posts.put(np.arange(n_posts), vectors)
    profiles = rng.standard_normal((user_ids.size, 16)).astype("f4")
    state.interests.profiles.put(user_ids, profiles)
    rows = [
        (p, int(rng.integers(100, 140)), float(rng.uniform(0, 20 * HOUR)), 0, 0, 0)
        for p in range(n_posts)
    ]
    posts = posts_table(rows)
    got = feeds(state, posts, users_table(user_ids.tolist()), now=20 * HOUR, k=5)
    decay = 0.5 ** ((20 * HOUR - posts.created_at) / HOUR)
    for i, uid in enumerate(user_ids.tolist()):
        q = profiles[i] / np.linalg.norm(profiles[i])
        scores = (vectors @ q) * decay
        allowed = [p for p in np.argsort(-scores, kind="stable") if rows[p][1] != uid]
        assert got[uid] == allowed[:5]


@pytest.mark.parametrize("kind", ["flat", "ivf"])
def test_a_search_that_skips_rows_of_repeated_texts_finds_what_a_search_of_all_rows_finds(
    kind: str,
) -> None:
    rng = np.random.default_rng(5)
    texts = rng.integers(1, 9, 3000)  # eight texts of ~375 rows ...
    texts[::150] = 0  # ... and twenty rows of unknown text
    directions = np.abs(rng.normal(size=(9, 16)))  # all in one orthant: -mean points away
    unknown = rng.normal(size=(3000, 16))
    unit = np.where((texts == 0)[:, None], unknown, directions[texts]).astype("f4")
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    vectors = unit * rng.uniform(0.2, 3, 3000).astype("f4")[:, None]
    queries = np.vstack([rng.normal(size=(40, 16)), -directions.mean(axis=0, keepdims=True)])
    settings = RecsysSettings(index=kind, ivf_nprobe=4)
    # As PostLists places them: by the unweighted vectors, so rows of a text share a list.
    quantizer = Quantizer.train(unit)
    placed = (quantizer, quantizer.assign(unit)) if kind == "ivf" else None
    whole = PostIndex(vectors, settings, placed)
    skipping = PostIndex(vectors, settings, placed, texts)
    for width in (5, 40, 400):
        kept = contenders(texts, vectors, width)
        assert set(np.flatnonzero(texts == 0)) <= set(kept.tolist())
        assert len(kept) < len(texts) or width > 375
        np.testing.assert_array_equal(skipping.search(queries, width), whole.search(queries, width))
