"""Synthetic populations of 10k to 1M users grown around a core of real seed users.

As the OASIS paper built its million: the seed users and their real follow graph form the
core; every further user follows ``follows_per_user`` earlier users chosen by preferential
attachment on follower count (igraph's Barabasi-Albert generator), which gives the
heavy-tailed follower distribution of real networks. Each synthetic user copies the bio,
persona and hourly activity of one seed user drawn at random (keeping those three jointly as
observed), and draws its interests from the seed's interest sets.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from oasis.core.rng import python_random, seeded
from oasis.datasets.errors import PopulationError
from oasis.datasets.population import Population

_SEED_SPACE = 2**63


def generate_population(
    n_users: int,
    seed: int,
    seed_profiles: Population,
    follows_per_user: int = 10,
    core_size: int | None = None,
    interest_profiles: Population | None = None,
) -> Population:
    """Generate a deterministic synthetic population.

    Args:
        n_users: Number of users, core included.
        seed: Seed of the one ``numpy.random.Generator`` every draw comes from.
        seed_profiles: Real users to copy profiles and activity from; its first ``core_size``
            users are agents ``0..core_size-1`` with their real follows among themselves.
        follows_per_user: Follows of each synthetic user (fewer for the first few).
        core_size: Seed users kept as the core; default all of them (at most ``n_users``).
        interest_profiles: Where interests are drawn from (e.g. the Reddit personas);
            default: each user keeps the interests of the seed user it copies.

    Returns:
        The population; agents are ordered core first, then by arrival, and follows point from
        newer to older agents. The core users' seed posts and the seed's start time carry over.

    Raises:
        PopulationError: Sizes are inconsistent.
    """
    core = min(seed_profiles.size, n_users) if core_size is None else core_size
    if not 0 < core <= min(seed_profiles.size, n_users) or follows_per_user < 1:
        raise PopulationError(
            f"need 0 < core_size <= min(seed size, n_users) and follows >= 1, got {core}"
        )
    rng = seeded(seed)
    source = np.concatenate([np.arange(core), rng.integers(0, seed_profiles.size, n_users - core)])
    follows = follow_graph(n_users, follows_per_user, core, _core_follows(seed_profiles, core), rng)
    interests = _interests(seed_profiles, interest_profiles, source, rng)
    activity = None if seed_profiles.activity is None else seed_profiles.activity[source]
    posts = tuple(post for post in seed_profiles.posts if post.author_id < core)
    users = _users(seed_profiles, source, core, interests)
    return Population(
        users, follows, activity, posts, seed_profiles.start_time,
        core=np.arange(core, dtype=np.int64),
    )  # fmt: skip


def follow_graph(
    n_users: int,
    follows_per_user: int,
    core_size: int,
    core_follows: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Grow a directed preferential-attachment follow graph around a core graph.

    Args:
        n_users: Total number of agents.
        follows_per_user: Follows of each new agent.
        core_size: Agents ``0..core_size-1`` form the core; the rest arrive one by one.
        core_follows: ``(k, 2)`` follows among the core agents.
        rng: The generator; igraph is seeded from it, so the graph is deterministic.

    Returns:
        ``(m, 2)`` int64 ``(follower, followee)`` pairs, simple (no repeats, no self-follows).
    """
    import igraph

    start = igraph.Graph(n=core_size, edges=core_follows.tolist(), directed=True)
    # igraph draws from a process-global generator: lend it one seeded from ours, then give
    # the default (the random module) back, so no state leaks between calls.
    igraph.set_random_number_generator(python_random(int(rng.integers(_SEED_SPACE))))
    try:
        graph = igraph.Graph.Barabasi(n_users, follows_per_user, directed=True, start_from=start)
    finally:
        igraph.set_random_number_generator(random)
    pairs = graph.get_edgelist()
    del graph  # the graph and the tuple list are the memory peak; never hold both plus the array
    flat = itertools.chain.from_iterable(pairs)
    return np.fromiter(flat, dtype=np.int64, count=2 * len(pairs)).reshape(-1, 2)


def _core_follows(seed: Population, core: int) -> np.ndarray:
    inside = (seed.follows < core).all(axis=1)
    return seed.follows[inside]


def _interests(
    seed: Population, pool: Population | None, source: np.ndarray, rng: np.random.Generator
) -> pd.Series:
    if pool is None:
        picks, lists = source, seed.users["interests"]
    else:
        picks, lists = rng.integers(0, pool.size, len(source)), pool.users["interests"]
    array = pa.array(lists.array).take(pa.array(picks))
    return pd.Series(pd.arrays.ArrowExtensionArray(array))


def _users(seed: Population, source: np.ndarray, core: int, interests: pd.Series) -> pd.DataFrame:
    n = len(source)
    ids = np.arange(n, dtype=np.int64)
    labels = pc.cast(pa.array(ids[core:]), pa.string())
    return pd.DataFrame(
        {
            "user_id": ids,
            "user_name": _concat(
                seed.users["user_name"], core, pc.binary_join_element_wise("user_", labels, "")
            ),
            "name": _concat(
                seed.users["name"], core, pc.binary_join_element_wise("User ", labels, "")
            ),
            "bio": _categorical(seed.users["bio"], source),
            "persona": _categorical(seed.users["persona"], source),
            "interests": interests,
        }
    )


def _concat(seed_column: pd.Series, core: int, generated: pa.Array) -> pd.Series:
    head = pa.array(seed_column.iloc[:core].astype(str).tolist(), type=pa.string())
    return pd.Series(pa.concat_arrays([head, generated]), dtype="str")


def _categorical(seed_column: pd.Series, source: np.ndarray) -> pd.Categorical:
    # Copies of seed text share one category each: 1M personas cost 1M small ints, not 1M strings.
    seed_cat = pd.Categorical(seed_column.astype(str))
    return pd.Categorical.from_codes(seed_cat.codes[source], categories=seed_cat.categories)
