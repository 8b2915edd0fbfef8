"""Loaders for the OASIS Twitter seeds: user CSVs and the Twitter15/16 topic cascades."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from oasis.datasets.cleaning import Repair, follow_repairs, strip_columns, unique_names
from oasis.datasets.errors import DatasetError
from oasis.datasets.fields import empty_lists, hourly, int_lists, read_csv, string_lists
from oasis.datasets.population import Population, ScheduledPost, clean_follows

USER_FILE_COLUMNS = (
    "name",
    "username",
    "following_agentid_list",
    "previous_tweets",
    "user_char",
    "description",
)
TOPIC_COLUMNS = (
    "label",
    "source_tweet",
    "num_users",
    "max_depth",
    "topic_name",
    "start_time",
    "root_user",
)
ACTIVITY_COLUMN = "activity_level_frequency"
FOLLOWS_COLUMN = "following_agentid_list"


def load_twitter_users(path: str | Path) -> Population:
    """Load an OASIS Twitter user CSV (topic users, group-polarization users, user_all_id_time).

    Row i is agent i. ``username`` becomes ``user_name``, ``description`` the bio and
    ``user_char`` the persona, as in OASIS; ``following_agentid_list`` gives the follows,
    ``activity_level_frequency`` (when present) the hourly activity and ``previous_tweets``
    the seed posts, posted before the first step. The source ``user_id`` is kept as
    ``source_id``.

    Defects are repaired and listed in the population's ``repairs``: stray whitespace around
    names and texts is stripped, a repeated user name gets a ``_2`` suffix (the seeds repeat
    some), self-follows and repeated follows are merged.

    Args:
        path: The CSV file.

    Returns:
        The population; Twitter seeds carry no interests, so ``interests`` lists are empty.

    Raises:
        DatasetError: A column is missing, or a list cell is malformed or names an unknown agent.
    """
    frame = read_csv(path, USER_FILE_COLUMNS)
    frame, repairs = strip_columns(frame, ("username", "name", "description", "user_char"), path)
    names, renamed = unique_names(list(frame["username"]), path)
    n = len(frame)
    users = pd.DataFrame(
        {
            "user_id": np.arange(n, dtype=np.int64),
            "user_name": names,
            "name": frame["name"].astype(str),
            "bio": frame["description"].astype(str),
            "persona": frame["user_char"].astype(str),
            "interests": empty_lists(n),
        }
    )
    if "user_id" in frame.columns:
        users["source_id"] = frame["user_id"].to_numpy()
    activity = hourly(frame, ACTIVITY_COLUMN, path) if ACTIVITY_COLUMN in frame.columns else None
    posts = _previous_posts(frame, path)
    follows, merged = _follows(frame, path)
    return Population(users, follows, activity, posts, repairs=(*repairs, *renamed, *merged))


def _follows(frame: pd.DataFrame, path: str | Path) -> tuple[np.ndarray, list[Repair]]:
    lengths, followees = int_lists(frame, FOLLOWS_COLUMN, path)
    followers = np.repeat(np.arange(len(frame), dtype=np.int64), lengths)
    unknown = np.flatnonzero((followees < 0) | (followees >= len(frame)))
    if unknown.size:
        row, agent = int(followers[unknown[0]]), int(followees[unknown[0]])
        raise DatasetError(
            path, row, FOLLOWS_COLUMN, f"follows agent {agent}, not in 0..{len(frame) - 1}"
        )
    pairs = np.column_stack([followers, followees])
    kept = clean_follows(pairs)
    return kept, follow_repairs(pairs, kept, path)


def _previous_posts(frame: pd.DataFrame, path: str | Path) -> tuple[ScheduledPost, ...]:
    lists = string_lists(frame, "previous_tweets", path)
    return tuple(
        ScheduledPost(None, agent, text) for agent, texts in enumerate(lists) for text in texts
    )


def load_topics(path: str | Path) -> pd.DataFrame:
    """Load ``all_topics.csv``: the real Twitter15/16 cascades and their source tweets.

    Args:
        path: The CSV file.

    Returns:
        One row per topic, indexed by ``topic_name``, with ``start_time`` as UTC timestamps and
        the real cascade's ``num_users`` and ``max_depth`` for comparison with simulated ones.

    Raises:
        DatasetError: A column is missing or a ``start_time``/``root_user`` cell is malformed.
    """
    frame = read_csv(path, TOPIC_COLUMNS)
    start = pd.to_datetime(frame["start_time"], utc=True, errors="coerce", format="ISO8601")
    root = pd.to_numeric(frame["root_user"], errors="coerce")
    for column, parsed in (("start_time", start), ("root_user", root)):
        if parsed.isna().any():
            row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
            raise DatasetError(path, row, column, f"cannot parse {frame[column].iloc[row]!r}")
    return frame.assign(start_time=start, root_user=root.astype(np.int64)).set_index("topic_name")


# Where the user files of the topics not shipped here are published.
_TOPIC_USERS_SOURCE = "camel-ai/oasis, data/twitter_dataset/anonymous_topic_200_1h"


def _topic_users(users_dir: Path, topic_name: str, known: pd.Index) -> Path:
    """The user file of ``topic_name``, or one line on which topics ship and where the rest are."""
    path = users_dir / f"{topic_name}.csv"
    if path.is_file():
        return path
    if not users_dir.is_dir():
        raise DatasetError(
            users_dir, None, None, "population.path must be the folder of per-topic user files "
            "(such as builtin:twitter/anonymous_topic_200_1h)",
        )  # fmt: skip
    here = sorted(p.stem for p in users_dir.glob("*.csv") if p.stem in known)
    raise DatasetError(
        path, None, None, f"topic {topic_name} is in all_topics.csv but its user file is not here; "
        f"this folder holds {', '.join(here) or 'no topic'}. The other topics' user files come "
        f"from the OASIS data ({_TOPIC_USERS_SOURCE}): put them in a folder and set "
        "population.path to it",
    )  # fmt: skip


def load_topic(
    topics_path: str | Path,
    users_dir: str | Path,
    topic_name: str,
    activity_path: str | Path | None = None,
) -> Population:
    """Turn one Twitter15/16 topic into agents, their follow graph and its scheduled source tweet.

    The users come from ``<users_dir>/<topic_name>.csv``; the source tweet is posted by the
    agent whose ``user_id`` is the topic's ``root_user``, at the topic's real ``start_time``
    (which also becomes the population's ``start_time``). The root's copy of the tweet among
    its ``previous_tweets`` is not posted twice.

    Args:
        topics_path: ``all_topics.csv``.
        users_dir: The folder of per-topic user CSVs (``anonymous_topic_200_1h``).
        topic_name: A ``topic_name`` such as ``False_Business_0``.
        activity_path: A user CSV with ``activity_level_frequency`` for (some of) the topic's
            users, matched by ``user_id``: their real hourly activity (users it lacks get the
            mean of the others).

    Returns:
        The topic's population.

    Raises:
        DatasetError: The topic or its user file is unknown, or the root user is not in it.
    """
    topics = load_topics(topics_path)
    if topic_name not in topics.index:
        raise DatasetError(topics_path, None, "topic_name", f"no topic named {topic_name!r}")
    topic = topics.loc[topic_name]
    users_path = _topic_users(Path(users_dir), topic_name, topics.index)
    seed = load_twitter_users(users_path)
    if "source_id" not in seed.users.columns:
        raise DatasetError(users_path, None, "user_id", "missing column")
    roots = np.flatnonzero(seed.users["source_id"].to_numpy() == topic["root_user"])
    if roots.size == 0:
        raise DatasetError(
            users_path, None, "user_id", f"root_user {topic['root_user']} not among the users"
        )
    start = topic["start_time"].to_pydatetime()
    root = int(roots[0])
    # The topic file lists the users who took part in the source's real cascade.
    sharers = tuple(int(u) for u in seed.users["user_id"] if int(u) != root)
    source = ScheduledPost(start, root, str(topic["source_tweet"]), sharers)
    others = tuple(
        p for p in seed.posts if (p.author_id, p.content) != (source.author_id, source.content)
    )
    activity = seed.activity
    if activity_path is not None:
        activity = _activity_by_user(activity_path, seed.users["source_id"].to_numpy())
    return Population(seed.users, seed.follows, activity, (source, *others), start, seed.repairs)


def _activity_by_user(path: str | Path, source_ids: np.ndarray) -> np.ndarray:
    """Hourly activity of the users ``source_ids`` from another user file, by ``user_id``."""
    frame = read_csv(path, ("user_id", ACTIVITY_COLUMN))
    known = hourly(frame, ACTIVITY_COLUMN, path)
    row = pd.Index(frame["user_id"].to_numpy()).get_indexer(source_ids)
    if (row < 0).all():
        raise DatasetError(path, None, "user_id", "none of the topic's users is in this file")
    typical = known[row[row >= 0]].mean(axis=0)
    activity: np.ndarray = np.where(row[:, None] >= 0, known[np.maximum(row, 0)], typical[None, :])
    return activity
