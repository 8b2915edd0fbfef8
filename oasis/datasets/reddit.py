"""Loaders for the OASIS Reddit seeds: personas and the counterfactual herd-effect posts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from oasis.datasets.cleaning import strip_columns, unique_names
from oasis.datasets.errors import DatasetError
from oasis.datasets.fields import list_column
from oasis.datasets.population import Population
from oasis.datasets.records import check_record, read_json_records

PERSONA_KEYS: dict[str, type] = {
    "realname": str,
    "username": str,
    "bio": str,
    "persona": str,
    "age": int,
    "gender": str,
    "mbti": str,
    "country": str,
    "profession": str,
    "interested_topics": list,
}
HERD_GROUPS = ("up", "down", "control")


def load_reddit_users(path: str | Path) -> Population:
    """Load Reddit personas (``user_data_36.json``); item i is agent i.

    ``realname`` becomes ``name``, ``username`` the ``user_name`` and ``interested_topics``
    the interests; age, gender, mbti, country and profession are kept as extra columns. Reddit
    seeds have no follow graph and no hourly activity.

    Args:
        path: The JSON file.

    Returns:
        The population, with no follows and ``activity`` None.

    Raises:
        DatasetError: An item lacks a key, has a wrongly typed value or a non-string topic.
    """
    items = read_json_records(path, PERSONA_KEYS)
    for row, item in enumerate(items):
        if not all(isinstance(t, str) for t in item["interested_topics"]):
            raise DatasetError(path, row, "interested_topics", "expected a list of strings")
    frame, repairs = strip_columns(
        pd.DataFrame(items), ("username", "realname", "bio", "persona"), path
    )
    names, renamed = unique_names(list(frame["username"]), path)
    users = pd.DataFrame(
        {
            "user_id": np.arange(len(items), dtype=np.int64),
            "user_name": names,
            "name": frame["realname"].astype(str),
            "bio": frame["bio"].astype(str),
            "persona": frame["persona"].astype(str),
            "interests": list_column([item["interested_topics"] for item in items]),
        }
    )
    extras = frame[["age", "gender", "mbti", "country", "profession"]]
    return Population(
        pd.concat([users, extras], axis=1),
        np.empty((0, 2), dtype=np.int64),
        repairs=(*repairs, *renamed),
    )


def load_counterfactual(path: str | Path) -> pd.DataFrame:
    """Load the herd-effect posts (``counterfactual_36.json``).

    Each item is a post (``RS``: title, selftext) and its first comment (``RC_1``: body, and
    group: the vote planted on it, ``up``, ``down`` or ``control``).

    Args:
        path: The JSON file.

    Texts are stripped of stray whitespace (thread 149's ``selftext`` ends in a space, which
    the platform strips from the post); ``frame.attrs["repairs"]`` lists each repair.

    Returns:
        Columns ``title``, ``selftext``, ``comment`` and ``group`` (categorical up/down/control),
        one row per item.

    Raises:
        DatasetError: An item lacks a key or has an unknown group.
    """
    items = read_json_records(path, {"RS": dict, "RC_1": dict})
    for row, item in enumerate(items):
        check_record(path, row, item["RS"], {"title": str, "selftext": str})
        check_record(path, row, item["RC_1"], {"body": str, "group": str})
        if item["RC_1"]["group"] not in HERD_GROUPS:
            raise DatasetError(
                path, row, "group", f"expected one of {HERD_GROUPS}, got {item['RC_1']['group']!r}"
            )
    frame, repairs = strip_columns(
        pd.DataFrame(
            {
                "title": [item["RS"]["title"] for item in items],
                "selftext": [item["RS"]["selftext"] for item in items],
                "comment": [item["RC_1"]["body"] for item in items],
            }
        ),
        ("title", "selftext", "comment"),
        path,
    )
    frame["group"] = pd.Categorical(
        [item["RC_1"]["group"] for item in items], categories=HERD_GROUPS
    )
    frame.attrs["repairs"] = tuple(repairs)
    return frame
