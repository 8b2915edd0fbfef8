from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from oasis.datasets import generate_population, load_reddit_users, load_topic, load_twitter_users
from oasis.platform import Platform, PlatformError
from oasis.platform.schema import Follow, table_of


@pytest.fixture
def platform(db_url: str):
    db = Platform.open(db_url)
    yield db
    assert db.counter_mismatches() == []
    db.close()


def test_topic_population_loads_into_the_platform(platform: Platform, twitter_dir: Path) -> None:
    population = load_topic(
        twitter_dir / "all_topics.csv", twitter_dir / "anonymous_topic_200_1h", "False_Business_0"
    )
    assert platform.load_population(population.users, population.follows) == len(population.follows)
    with platform.reader() as reader:
        assert reader.user_ids().tolist() == list(range(population.size))
        counts = reader.user_counts([32])
    assert counts["followers"][0] == (population.follows[:, 1] == 32).sum()


def test_synthetic_population_loads_into_the_platform(platform: Platform, seed_dir: Path) -> None:
    core = load_twitter_users(seed_dir / "twitter/user_all_id_time.csv")
    population = generate_population(
        3000, 5, core, interest_profiles=load_reddit_users(seed_dir / "reddit/user_data_36.json")
    )
    assert platform.load_population(population.users, population.follows) == len(population.follows)
    with platform.reader() as reader:
        indptr, indices = reader.followees([2999, 500])
        counts = reader.user_counts([0])
    expected = population.follows[population.follows[:, 0] == 2999, 1]
    assert sorted(indices[indptr[0] : indptr[1]].tolist()) == sorted(expected.tolist())
    assert counts["followers"][0] == np.count_nonzero(population.follows[:, 1] == 0)


def _users(ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"user_id": ids, "user_name": [f"u{i}" for i in ids], "name": "n"})


def test_follows_may_name_stored_users_but_no_missing_one(db_url: str) -> None:
    platform = Platform.open(db_url)
    platform.load_population(_users([0, 1]), np.array([[1, 0]]))
    assert platform.load_population(_users([2]), np.array([[2, 0], [1, 2]])) == 2
    with pytest.raises(PlatformError, match=r"do not exist \(among \[7, 9\]\)"):
        platform.load_population(_users([3]), np.array([[3, 7], [3, 0], [9, 3]]))
    with platform.reader() as reader:
        assert reader.user_ids().tolist() == [0, 1, 2]  # the refused load wrote nothing
    follow = insert(table_of(Follow)).values(follower_id=0, followee_id=99, created_step=0)
    with pytest.raises(IntegrityError), platform.engine.begin() as conn:
        conn.execute(follow)  # the database checks follows again once a load is done
    platform.close()
