import random
from pathlib import Path

import numpy as np
import pytest

from oasis.core.rng import seeded
from oasis.datasets import (
    Population,
    generate_population,
    load_reddit_users,
    load_topic,
    load_twitter_users,
)
from oasis.datasets.settings import DEGREE_EXPONENT, RECIPROCITY
from oasis.datasets.synthetic import power_law_degrees


@pytest.fixture(scope="module")
def seeds(seed_dir: Path) -> tuple[Population, Population]:
    twitter = load_twitter_users(seed_dir / "twitter/user_all_id_time.csv")
    return twitter, load_reddit_users(seed_dir / "reddit/user_data_36.json")


@pytest.fixture(scope="module")
def population(seeds: tuple[Population, Population]) -> Population:
    return generate_population(20_000, 7, seeds[0], follows_per_user=10, interest_profiles=seeds[1])


def test_shape_and_ids(population: Population) -> None:
    assert population.size == 20_000
    assert population.users["user_id"].tolist() == list(range(20_000))
    assert population.users["user_name"].nunique() == 20_000
    assert population.users["user_name"].iloc[-1] == "user_19999"
    assert population.follows.dtype == np.int64


def test_follows_average_the_setting_and_are_simple(population: Population) -> None:
    follows = population.follows
    assert len(follows) / population.size == pytest.approx(10, rel=0.02)
    assert len(np.unique(follows, axis=0)) == len(follows)
    assert (follows[:, 0] != follows[:, 1]).all()


def tail_exponent(degrees: np.ndarray, smallest: int = 10) -> float:
    """The power law's exponent fitted by maximum likelihood to ``degrees >= smallest``.

    Clauset, Shalizi and Newman, "Power-law distributions in empirical data", SIAM Review
    2009, eq. 3.7 (the discrete approximation).
    """
    tail = degrees[degrees >= smallest]
    return float(1 + len(tail) / np.log(tail / (smallest - 0.5)).sum())


def test_followers_and_followings_are_heavy_tailed_and_the_median_user_has_both(
    population: Population,
) -> None:
    # [Kwak10]: degrees follow a power law of exponent 2.276; growth by preferential
    # attachment gave the median user no followers at all.
    follows = population.follows
    for column in (0, 1):
        degree = np.bincount(follows[:, column], minlength=population.size)
        assert np.median(degree) >= 3 and (degree > 0).mean() > 0.99
        assert degree.max() > 100 * degree.mean()
        # dropping repeats among the hubs cuts the very top, so the fit is a little steeper
        assert 2.2 < tail_exponent(degree) < 2.6


def test_the_drawn_degrees_follow_kwaks_power_law() -> None:
    degrees = power_law_degrees(seeded(1), 50_000, DEGREE_EXPONENT, 50_000 * 8.0)
    assert degrees.sum() == 400_000
    assert tail_exponent(degrees) == pytest.approx(2.276, abs=0.06)


def test_a_fifth_of_linked_pairs_follow_each_other(population: Population) -> None:
    # [Kwak10]: 22.1% of Twitter's user pairs with a follow between them are reciprocal.
    n = population.size
    keys = population.follows[:, 0] * n + population.follows[:, 1]
    mutual = np.isin(keys, population.follows[:, 1] * n + population.follows[:, 0]).sum() / 2
    assert mutual / (len(keys) - mutual) == pytest.approx(RECIPROCITY, abs=0.01)


def test_core_keeps_seed_users_and_their_follows(
    population: Population, seeds: tuple[Population, Population]
) -> None:
    twitter = seeds[0]
    assert population.users["user_name"].iloc[:111].tolist() == twitter.users["user_name"].tolist()
    core = population.follows[
        (population.follows < 111).all(axis=1) & (population.follows[:, 0] < 111)
    ]
    assert set(map(tuple, twitter.follows.tolist())) <= set(map(tuple, core.tolist()))


def test_profiles_come_from_the_seeds(
    population: Population, seeds: tuple[Population, Population]
) -> None:
    twitter, reddit = seeds
    assert population.activity is not None and twitter.activity is not None
    seed_rows = {tuple(row) for row in twitter.activity.tolist()}
    assert {tuple(row) for row in population.activity[::97].tolist()} <= seed_rows
    assert set(population.users["persona"].astype(str)) <= set(twitter.users["persona"])
    seed_sets = {tuple(t) for t in reddit.users["interests"]}
    drawn = [tuple(t) for t in population.users["interests"]]
    assert set(drawn) <= seed_sets
    economics = np.mean(["Economics" in t for t in drawn])
    expected = np.mean(["Economics" in t for t in reddit.users["interests"]])
    assert abs(economics - expected) < 0.03


def test_deterministic_for_a_seed(seeds: tuple[Population, Population]) -> None:
    a = generate_population(3000, 11, seeds[0], interest_profiles=seeds[1])
    random.seed(999)  # the process-global generator must not matter
    b = generate_population(3000, 11, seeds[0], interest_profiles=seeds[1])
    c = generate_population(3000, 12, seeds[0], interest_profiles=seeds[1])
    assert np.array_equal(a.follows, b.follows) and a.users.equals(b.users)
    assert (
        a.activity is not None and b.activity is not None and np.array_equal(a.activity, b.activity)
    )
    assert not np.array_equal(a.follows, c.follows)


def test_no_global_random_state_is_consumed(seeds: tuple[Population, Population]) -> None:
    random.seed(5)
    expected = random.random()
    random.seed(5)
    generate_population(500, 1, seeds[0])
    assert random.random() == expected


def test_small_core_and_bad_sizes(seeds: tuple[Population, Population]) -> None:
    small = generate_population(400, 3, seeds[0], follows_per_user=3, core_size=20)
    assert (
        small.users["user_name"].iloc[:20].tolist()
        == seeds[0].users["user_name"].iloc[:20].tolist()
    )
    assert small.users["interests"].iloc[0] == []
    with pytest.raises(ValueError, match="core_size"):
        generate_population(400, 3, seeds[0], core_size=0)
    with pytest.raises(ValueError, match="core_size"):
        generate_population(400, 3, seeds[0], core_size=500)


def test_core_seed_posts_and_start_time_carry_over(twitter_dir: Path) -> None:
    topic = load_topic(
        twitter_dir / "all_topics.csv", twitter_dir / "anonymous_topic_200_1h", "False_Business_0"
    )
    grown = generate_population(1000, 2, topic)
    assert grown.posts == topic.posts and grown.start_time == topic.start_time
    assert generate_population(1000, 2, topic, core_size=10).posts == ()
