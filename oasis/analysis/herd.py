"""Herd effect: how a planted first vote moves a comment's final score (OASIS's Reddit study).

Each comment was seeded with one up vote, one down vote or none (the ``up``, ``down`` and
``control`` groups of ``counterfactual_36.json``); after the run its score is
``num_likes - num_dislikes``, planted vote included, as the platform counts it. A herd effect
shows as ``up`` > ``control`` > ``down`` mean scores.
"""

from __future__ import annotations

import pandas as pd

GROUPS = ("up", "down", "control")


def herd_effect(comments: pd.DataFrame) -> pd.DataFrame:
    """Mean final score per treatment group.

    Args:
        comments: Columns ``group`` (up/down/control), ``num_likes`` and ``num_dislikes``.

    Returns:
        Indexed by group, in up/down/control order: ``n``, ``mean_score``, ``std_score``
        (population std), ``mean_likes`` and ``mean_dislikes``; groups with no comments have
        n 0 and NaN means.

    Raises:
        ValueError: A column is missing or a group is unknown.
    """
    missing = {"group", "num_likes", "num_dislikes"} - set(comments.columns)
    if missing:
        raise ValueError(f"comments lack columns {sorted(missing)}")
    unknown = set(comments["group"].astype(str)) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown herd groups {sorted(unknown)}; expected {GROUPS}")
    scored = comments.assign(
        group=comments["group"].astype(str), score=comments["num_likes"] - comments["num_dislikes"]
    )
    grouped = scored.groupby("group")
    table = pd.DataFrame(
        {
            "n": grouped.size(),
            "mean_score": grouped["score"].mean(),
            "std_score": grouped["score"].std(ddof=0),
            "mean_likes": grouped["num_likes"].mean(),
            "mean_dislikes": grouped["num_dislikes"].mean(),
        }
    )
    table = table.reindex(list(GROUPS))
    table["n"] = table["n"].fillna(0).astype(int)
    table.index.name = "group"
    return table
