"""Several seed groups as one population: the group-polarization seed's two camps, for instance.

Each group is loaded on its own (its follows refer to its own rows), then the groups are placed
one after the other: agent ids, follows and seed posts are shifted by the agents before them,
and every user carries its group's name in the ``group`` column. Names repeated across groups
(the two group-polarization files share most accounts) are made unique and listed as repairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from oasis.datasets.cleaning import Repair, unique_names
from oasis.datasets.population import Population, ScheduledPost


def combine_groups(groups: Mapping[str, Population]) -> Population:
    """One population of the ``groups`` in their order, with a ``group`` column."""
    users: list[pd.DataFrame] = []
    follows: list[np.ndarray] = []
    activity: list[np.ndarray | None] = []
    posts: list[ScheduledPost] = []
    repairs: list[Repair] = []
    offset = 0
    for name, group in groups.items():
        users.append(group.users.assign(user_id=group.users["user_id"] + offset, group=name))
        follows.append(group.follows + offset)
        activity.append(group.activity)
        posts += [replace(p, author_id=p.author_id + offset) for p in group.posts]
        repairs += group.repairs
        offset += group.size
    table = pd.concat(users, ignore_index=True)
    names, renamed = unique_names(list(table["user_name"]), "+".join(groups))
    known = [a for a in activity if a is not None]
    hourly = np.concatenate(known) if len(known) == len(activity) and known else None
    starts = [g.start_time for g in groups.values() if g.start_time is not None]
    return Population(
        table.assign(user_name=names),
        np.concatenate(follows).astype(np.int64) if follows else np.empty((0, 2), np.int64),
        hourly,
        tuple(posts),
        min(starts) if starts else None,
        (*repairs, *renamed),
    )
