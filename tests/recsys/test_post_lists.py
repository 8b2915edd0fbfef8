"""The candidates' IVF lists kept between steps: placed once, trained again when due."""

from __future__ import annotations

import numpy as np

from oasis.recsys.post_lists import PostLists
from oasis.recsys.retrieval import PostIndex, Quantizer
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


def test_a_post_keeps_its_list_and_new_ones_are_placed_by_the_same_quantizer() -> None:
    posts, lists = table(1000), PostLists(SETTINGS)
    lists.place(np.arange(0, 400), posts, renew=False)
    quantizer, first = lists.quantizer, lists.lists.copy()
    lists.place(np.arange(100, 600), posts, renew=False)  # 500: within twice 400, no training
    assert lists.quantizer is quantizer and lists.trained_on == 400
    np.testing.assert_array_equal(lists.lists[:300], first[100:])
    np.testing.assert_array_equal(lists.lists, quantizer.assign(posts.vectors(np.arange(100, 600))))


def test_the_lists_are_trained_again_when_due_or_when_the_candidates_halve_or_double() -> None:
    posts, lists = table(2000), PostLists(SETTINGS)
    lists.place(np.arange(400), posts, renew=False)
    trained = lists.quantizer
    for ids, renew in [(np.arange(900), False), (np.arange(300), False), (np.arange(310), True)]:
        lists.place(ids, posts, renew)
        assert lists.quantizer is not trained and lists.trained_on == len(ids)
        trained = lists.quantizer
    lists.place(np.arange(50), posts, renew=False)  # flat from here: nothing kept
    assert lists.quantizer is None and lists.placed(np.arange(50)) is None


def test_placed_answers_only_for_the_posts_placed() -> None:
    posts, lists = table(500), PostLists(SETTINGS)
    lists.place(np.arange(300), posts, renew=False)
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
    lists.place(np.arange(0), posts, renew=False)
    assert lists.quantizer is None
    lists.place(np.arange(5), posts, renew=False)  # one list for five posts
    placed = lists.placed(np.arange(5))
    assert placed is not None and placed[0].lists == 1
