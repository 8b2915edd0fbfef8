import ast
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oasis.datasets import DatasetError, load_topic, load_topics, load_twitter_users

USER_FILES = (
    "anonymous_topic_200_1h/False_Business_0.csv",
    "group_polarization/197_baoshou.csv",
    "group_polarization/197_progressive.csv",
    "user_all_id_time.csv",
)


@pytest.mark.parametrize("name", USER_FILES)
def test_user_files_load_with_their_real_follows(twitter_dir: Path, name: str) -> None:
    raw = pd.read_csv(twitter_dir / name, keep_default_na=False)
    population = load_twitter_users(twitter_dir / name)
    expected = {
        (i, j)
        for i, cell in enumerate(raw["following_agentid_list"])
        for j in ast.literal_eval(cell)
        if i != j
    }
    assert population.size == len(raw)
    assert set(map(tuple, population.follows.tolist())) == expected
    assert len(population.follows) == len(expected)
    renamed = {r.row: r for r in population.repairs if r.problem == "duplicate name"}
    names = population.users["user_name"].tolist()
    assert len(set(names)) == len(names)
    for row, (name, original) in enumerate(zip(names, raw["username"], strict=True)):
        if row in renamed:
            assert (renamed[row].before, renamed[row].after) == (original, name)
        else:
            assert name == original
    assert population.users["persona"].tolist() == raw["user_char"].str.strip().tolist()
    assert population.users["bio"].iloc[0] == raw["description"].iloc[0]


def test_activity_is_the_hourly_frequency(twitter_dir: Path) -> None:
    raw = pd.read_csv(twitter_dir / "user_all_id_time.csv")
    population = load_twitter_users(twitter_dir / "user_all_id_time.csv")
    assert population.activity is not None
    assert population.activity.shape == (len(raw), 24)
    assert population.activity[0].tolist() == ast.literal_eval(raw["activity_level_frequency"][0])


def test_previous_tweets_become_posts_before_the_start(twitter_dir: Path) -> None:
    population = load_twitter_users(twitter_dir / "group_polarization/197_baoshou.csv")
    assert len(population.posts) == 1
    assert population.posts[0].time is None
    assert population.posts[0].content.startswith("Helen is a talented writer")


def test_topics_table(twitter_dir: Path) -> None:
    topics = load_topics(twitter_dir / "all_topics.csv")
    assert len(topics) == 198
    row = topics.loc["False_Business_0"]
    assert (row["num_users"], row["max_depth"], row["root_user"]) == (130, 2, 972651)
    assert row["start_time"] == pd.Timestamp("2014-10-09 18:48:22", tz="UTC")


def test_topic_schedules_the_source_tweet_by_its_root_user(twitter_dir: Path) -> None:
    population = load_topic(
        twitter_dir / "all_topics.csv", twitter_dir / "anonymous_topic_200_1h", "False_Business_0"
    )
    start = datetime(2014, 10, 9, 18, 48, 22, tzinfo=UTC)
    assert population.start_time == start
    assert len(population.posts) == 1
    post = population.posts[0]
    assert (post.time, post.author_id) == (start, 32)
    assert population.users["source_id"].iloc[32] == 972651
    assert post.content.startswith("report: amazon plans to open its first physical store")
    assert (population.follows[:, 1] == 32).sum() >= 30


def test_the_topics_users_are_the_sources_sharers(twitter_dir: Path) -> None:
    population = load_topic(
        twitter_dir / "all_topics.csv", twitter_dir / "anonymous_topic_200_1h", "False_Business_0"
    )
    (source,) = population.posts
    assert len(source.sharers) == len(population.users) - 1 == 110
    assert source.author_id not in source.sharers


def _broken(src: Path, tmp_path: Path, edit) -> Path:
    frame = pd.read_csv(src, keep_default_na=False)
    out = tmp_path / src.name
    edit(frame).to_csv(out, index=False)
    return out


@pytest.mark.parametrize(
    "column", ["username", "following_agentid_list", "user_char", "previous_tweets"]
)
def test_missing_column_names_file_and_column(
    twitter_dir: Path, tmp_path: Path, column: str
) -> None:
    path = _broken(
        twitter_dir / "user_all_id_time.csv", tmp_path, lambda f: f.drop(columns=[column])
    )
    with pytest.raises(DatasetError) as err:
        load_twitter_users(path)
    assert (err.value.file, err.value.row, err.value.column) == (str(path), None, column)
    assert "user_all_id_time.csv" in str(err.value) and column in str(err.value)


def _set_cell(column: str, row: int, value: str):
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
        return frame

    return edit


@pytest.mark.parametrize(
    ("column", "value", "phrase"),
    [
        ("following_agentid_list", "[1, 2", "list of integers"),
        ("following_agentid_list", "1, 2", "list of integers"),
        ("following_agentid_list", "['a']", "list of integers"),
        ("following_agentid_list", "[5000]", "follows agent 5000"),
        ("activity_level_frequency", "[1, 2, 3]", "24 hourly values"),
        ("activity_level_frequency", "[1, 2,, 3]", "list of integers"),
        ("previous_tweets", "['unclosed", "list of strings"),
        ("previous_tweets", "[1, 2]", "list of strings"),
    ],
)
def test_bad_cell_names_row_and_column(
    twitter_dir: Path, tmp_path: Path, column: str, value: str, phrase: str
) -> None:
    path = _broken(twitter_dir / "user_all_id_time.csv", tmp_path, _set_cell(column, 7, value))
    with pytest.raises(DatasetError) as err:
        load_twitter_users(path)
    assert (err.value.row, err.value.column) == (7, column)
    assert phrase in str(err.value) and "row 7" in str(err.value)


def test_self_follows_and_repeats_are_dropped(twitter_dir: Path, tmp_path: Path) -> None:
    path = _broken(
        twitter_dir / "user_all_id_time.csv",
        tmp_path,
        _set_cell("following_agentid_list", 3, "[3, 4, 4, 5]"),
    )
    follows = load_twitter_users(path).follows
    assert follows[follows[:, 0] == 3].tolist() == [[3, 4], [3, 5]]
    assert follows.dtype == np.int64


def test_topics_bad_start_time(twitter_dir: Path, tmp_path: Path) -> None:
    path = _broken(
        twitter_dir / "all_topics.csv", tmp_path, _set_cell("start_time", 4, "yesterday")
    )
    with pytest.raises(DatasetError) as err:
        load_topics(path)
    assert (err.value.row, err.value.column) == (4, "start_time")


def test_topics_missing_root_user_column(twitter_dir: Path, tmp_path: Path) -> None:
    path = _broken(
        twitter_dir / "all_topics.csv", tmp_path, lambda f: f.drop(columns=["root_user"])
    )
    with pytest.raises(DatasetError, match="root_user"):
        load_topics(path)


def test_unknown_topic_and_missing_user_file(twitter_dir: Path) -> None:
    topics, users = twitter_dir / "all_topics.csv", twitter_dir / "anonymous_topic_200_1h"
    with pytest.raises(DatasetError, match="no topic named 'Nope'"):
        load_topic(topics, users, "Nope")
    with pytest.raises(DatasetError, match=r"True_Business_0\.csv"):
        load_topic(topics, users, "True_Business_0")


def test_topic_whose_root_user_is_absent(twitter_dir: Path, tmp_path: Path) -> None:
    src = twitter_dir / "anonymous_topic_200_1h" / "False_Business_0.csv"
    _broken(src, tmp_path, _set_cell("user_id", 32, "1"))
    with pytest.raises(DatasetError, match="root_user 972651 not among the users") as err:
        load_topic(twitter_dir / "all_topics.csv", tmp_path, "False_Business_0")
    assert err.value.column == "user_id"


def test_topic_users_get_their_real_hourly_activity_by_user_id(tmp_path):
    from oasis.datasets.settings import BUILTIN_DATA
    from oasis.datasets.twitter import load_topic, load_twitter_users

    data = BUILTIN_DATA / "twitter"
    topic = load_topic(
        data / "all_topics.csv", data / "anonymous_topic_200_1h", "False_Business_0",
        activity_path=data / "user_all_id_time.csv",
    )  # fmt: skip
    known = load_twitter_users(data / "user_all_id_time.csv")
    assert topic.activity is not None and known.activity is not None
    assert (topic.activity == known.activity).all()  # the same 111 users, in the same order
    assert load_topic(data / "all_topics.csv", data / "anonymous_topic_200_1h",
                      "False_Business_0").activity is None  # fmt: skip


@pytest.mark.parametrize("name", ["197_baoshou.csv", "197_progressive.csv"])
def test_polarization_seeds_repeated_names_are_renamed_and_listed(
    twitter_dir: Path, name: str
) -> None:
    population = load_twitter_users(twitter_dir / "group_polarization" / name)
    renamed = [r for r in population.repairs if r.problem == "duplicate name"]
    assert len(renamed) == 12
    assert ("BuzzFeed", "BuzzFeed_3") in {(r.before, r.after) for r in renamed}
    assert population.users["user_name"].is_unique
    assert all("duplicate name" in r.describe() for r in renamed)


def test_a_topic_without_its_user_file_says_which_ship_and_where_the_rest_are(tmp_path):
    from tests.simulation.test_cli import oasis

    for path in ("builtin:twitter/anonymous_topic_200_1h", "builtin:twitter/user_all_id_time.csv"):
        (tmp_path / "exp.yaml").write_text(
            f"steps: 2\npopulation: {{source: topic, topic: True_Business_8, path: '{path}'}}\n"
        )
        done = oasis("run", "exp.yaml", cwd=tmp_path)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
        if path.endswith("1h"):
            assert "True_Business_8 is in all_topics.csv" in done.stderr
            assert "this folder holds False_Business_0" in done.stderr
            assert "camel-ai/oasis" in done.stderr and "population.path" in done.stderr
        else:
            assert "folder of per-topic user files" in done.stderr
