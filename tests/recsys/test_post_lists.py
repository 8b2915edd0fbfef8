"""The candidates' IVF lists kept between steps: moved each step, trained afresh when due."""

from __future__ import annotations

import itertools

import numpy as np

from oasis.recsys.embedding import HashingEmbedder
from oasis.recsys.post_lists import PostLists
from oasis.recsys.retrieval import PostIndex, Quantizer, ivf_lists
from oasis.recsys.settings import RecsysSettings
from oasis.recsys.vectors import VectorTable

SETTINGS = RecsysSettings(flat_max_posts=100, ivf_nprobe=2)


def clustered(n: int, seed: int = 0, dim: int = 16) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(12, dim))
    x = centers[rng.integers(0, 12, n)] + 0.4 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype("f4")


def table(n: int) -> VectorTable:
    posts = VectorTable(16)
    posts.put(np.arange(n), clustered(n))
    return posts


def test_new_candidates_are_placed_by_the_centroids_as_they_are_until_these_move() -> None:
    posts, lists = table(1000), PostLists(SETTINGS)
    lists.place(np.arange(0, 400), posts)
    quantizer, first = lists.quantizer, lists.lists.copy()
    lists.place(np.arange(100, 600), posts)  # 500: within twice 400; the centroids stay
    assert lists.quantizer is quantizer and lists.trained_on == 400
    np.testing.assert_array_equal(lists.lists[:300], first[100:])
    np.testing.assert_array_equal(lists.lists, quantizer.assign(posts.vectors(np.arange(100, 600))))


def test_centroids_move_every_other_step_and_restart_when_the_candidates_halve_or_double():
    posts, lists = table(2000), PostLists(SETTINGS)
    lists.place(np.arange(400), posts)
    for ids, change in [
        (np.arange(100, 600), "none"),
        (np.arange(150, 650), "moved"),  # MOVE_EVERY steps since the last change
        (np.arange(200, 700), "none"),
        (np.arange(900), "fresh"),  # more than twice 400
        (np.arange(300), "fresh"),  # fewer than half 900
    ]:
        before, trained_on = lists.quantizer, lists.trained_on
        lists.place(ids, posts)
        assert (lists.quantizer is before) == (change == "none")
        assert (lists.trained_on != trained_on) == (change == "fresh")
        assert lists.quantizer is not None and lists.quantizer.lists == ivf_lists(lists.trained_on)
        np.testing.assert_array_equal(lists.lists, lists.quantizer.assign(posts.vectors(ids)))
    lists.place(np.arange(50), posts)  # flat from here: nothing kept
    assert lists.quantizer is None and lists.placed(np.arange(50)) is None


def test_moved_centroids_fit_drifted_candidates_as_fresh_ones_do() -> None:
    # Heuristic posts name their step, so each step's candidates drift from the last ones':
    # centroids trained on steps 0-5 and left where they were fit steps 6-11 worse; moved by a
    # few iterations they fit them as well as centroids trained on them afresh.
    rng = np.random.default_rng(7)
    words = ["Economics", "Business", "Culture", "Society", "Fun", "Science", "Sports", "Art"]
    pairs = [f"{a}, {b}" for a, b in itertools.combinations(words, 2)]
    embedder = HashingEmbedder(64)

    def posts(steps: range) -> np.ndarray:
        topics = rng.integers(0, len(pairs), 800 * len(steps))
        steps_of = np.repeat(np.array(steps), 800)
        return embedder.encode(
            [f"{pairs[t]}: my take at step {s}" for t, s in zip(topics, steps_of, strict=True)]
        )

    def fit(quantizer: Quantizer, vectors: np.ndarray) -> float:
        return float((vectors @ quantizer.centroids.T).max(axis=1).mean())

    old, new = posts(range(6)), posts(range(6, 12))
    stale = Quantizer.train(old)
    fresh, moved = fit(Quantizer.train(new), new), fit(stale.refine(new), new)
    assert moved >= fresh - 0.005 and fit(stale, new) < moved - 0.01


def test_placed_answers_only_for_the_posts_placed() -> None:
    posts, lists = table(500), PostLists(SETTINGS)
    lists.place(np.arange(300), posts)
    assert lists.placed(np.arange(300)) is not None
    assert lists.placed(np.arange(1, 301)) is None


def test_weights_do_not_move_a_post_out_of_its_list() -> None:
    # Searching weighted vectors in the lists of the unweighted ones is searching an index built
    # from the weighted vectors themselves with the same quantizer.
    rng = np.random.default_rng(3)
    vectors = clustered(3000, seed=3)
    weights = rng.uniform(0.05, 4.0, 3000).astype("f4")
    quantizer = Quantizer.train(vectors)
    lists = quantizer.assign(vectors)
    np.testing.assert_array_equal(quantizer.assign(vectors * weights[:, None]), lists)
    scaled, queries = vectors * weights[:, None], clustered(40, seed=4)
    kept = PostIndex(scaled, SETTINGS, (quantizer, lists)).search(queries, 10)
    fresh = PostIndex(scaled, SETTINGS, (quantizer, quantizer.assign(scaled))).search(queries, 10)
    np.testing.assert_array_equal(kept, fresh)


def test_an_ivf_index_asked_for_keeps_nothing_while_there_is_no_candidate() -> None:
    posts, lists = table(10), PostLists(RecsysSettings(index="ivf"))
    lists.place(np.arange(0), posts)
    assert lists.quantizer is None
    lists.place(np.arange(5), posts)  # one list for five posts
    placed = lists.placed(np.arange(5))
    assert placed is not None and placed[0].lists == 1
