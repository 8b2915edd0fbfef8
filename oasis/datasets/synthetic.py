"""Synthetic populations of 10k to 1M users around a core of real seed users.

The seed users and their real follow graph form the core, as in the OASIS paper: they follow
whom they really follow. The rest of the graph is a directed configuration model (Newman,
Strogatz and Watts, "Random graphs with arbitrary degree distributions and their applications",
Phys. Rev. E 64, 026118, 2001; ``networkx.directed_configuration_model`` builds the same, in
pure Python): each synthetic user's followings and every user's followers are drawn
independently from a power law of exponent ``degree_exponent`` (Kwak, Lee, Park and Moon,
"What is Twitter, a social network or a news media?", WWW 2010, fitted 2.276 to Twitter's
degrees), scaled to a mean of ``follows_per_user``, and the stubs are paired at random;
self-follows and repeats are dropped (the "erased" model) and the pairs so lost among the hubs
drawn again. Random pairing leaves almost no follow returned, so then a share ``reciprocity``
of the linked pairs is made mutual (Kwak et al.: 22.1% of Twitter's linked pairs are). Unlike
growth by preferential attachment, where a late user gets no followers, the median user
follows and is followed by a few, and both tails are heavy. Each synthetic user copies the
bio, persona and hourly activity of one seed user drawn at random (keeping those three jointly
as observed), and draws its interests from the seed's interest sets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from oasis.core.rng import seeded
from oasis.datasets.errors import PopulationError
from oasis.datasets.population import Population
from oasis.datasets.settings import DEGREE_EXPONENT, RECIPROCITY

_TOP_UP_ROUNDS = 8


def generate_population(
    n_users: int,
    seed: int,
    seed_profiles: Population,
    follows_per_user: float = 10,
    core_size: int | None = None,
    interest_profiles: Population | None = None,
    degree_exponent: float = DEGREE_EXPONENT,
    reciprocity: float = RECIPROCITY,
) -> Population:
    """Generate a deterministic synthetic population.

    Args:
        n_users: Number of users, core included.
        seed: Seed of the one ``numpy.random.Generator`` every draw comes from.
        seed_profiles: Real users to copy profiles and activity from; its first ``core_size``
            users are agents ``0..core_size-1`` with their real follows among themselves.
        follows_per_user: Mean follows per user, returned ones included.
        core_size: Seed users kept as the core; default all of them (at most ``n_users``).
        interest_profiles: Where interests are drawn from (e.g. the Reddit personas);
            default: each user keeps the interests of the seed user it copies.
        degree_exponent: The power law's exponent of followings and of followers.
        reciprocity: The share of linked pairs that follow each other.

    Returns:
        The population; agents are ordered core first. The core users' seed posts and the
        seed's start time carry over.

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
    shape = (degree_exponent, reciprocity)
    core_follows = _core_follows(seed_profiles, core)
    follows = follow_graph(n_users, follows_per_user, core, core_follows, rng, *shape)
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
    follows_per_user: float,
    core_size: int,
    core_follows: np.ndarray,
    rng: np.random.Generator,
    degree_exponent: float = DEGREE_EXPONENT,
    reciprocity: float = RECIPROCITY,
) -> np.ndarray:
    """A directed configuration model with power-law degrees and returned follows.

    Args:
        n_users: Total number of agents.
        follows_per_user: Mean follows per agent outside the core, returned ones included.
        core_size: Agents ``0..core_size-1`` form the core: they follow whom they follow in
            ``core_follows`` and no one else, and the others may follow them.
        core_follows: ``(k, 2)`` follows among the core agents.
        rng: The generator every draw comes from.
        degree_exponent: The exponent of the power law of followings and of followers.
        reciprocity: The share of linked pairs made mutual.

    Returns:
        ``(m, 2)`` int64 ``(follower, followee)`` pairs, simple (no repeats, no self-follows),
        sorted.
    """
    grown = n_users - core_size  # the core's followings are its real ones
    one_way = grown * follows_per_user / (1.0 + reciprocity)
    followings = power_law_degrees(rng, grown, degree_exponent, one_way)
    followers = power_law_degrees(rng, n_users, degree_exponent, float(followings.sum()))
    stubs_out = np.repeat(np.arange(core_size, n_users, dtype=np.int64), followings)
    stubs_in = rng.permutation(np.repeat(np.arange(n_users, dtype=np.int64), followers))
    if len(stubs_in) < len(stubs_out):  # a tiny population caps a degree at n - 1
        stubs_out = rng.permutation(stubs_out)[: len(stubs_in)]
    pairs = _simple(np.column_stack([stubs_out, stubs_in]), n_users)
    for _ in range(_TOP_UP_ROUNDS):  # pairs lost to repeats among hubs, drawn again alike
        short = len(stubs_out) - len(pairs)
        if short <= len(stubs_out) // 1000:
            break
        extra = np.column_stack([rng.choice(stubs_out, short), rng.choice(stubs_in, short)])
        pairs = _simple(np.concatenate([pairs, extra]), n_users)
    returnable = (rng.random(len(pairs)) < reciprocity) & (pairs[:, 1] >= core_size)
    returned = pairs[returnable][:, ::-1]
    return _simple(np.concatenate([pairs, returned, core_follows.astype(np.int64)]), n_users)


def power_law_degrees(
    rng: np.random.Generator, n: int, exponent: float, total: float
) -> np.ndarray:
    """``n`` power-law degrees (density ~ k ** -exponent) summing to ``round(total)``.

    Pareto weights scaled to the total, rounded down, and the remainder given out in
    proportion to what rounding took off; no degree passes ``n - 1``.
    """
    if n == 0 or total <= 0:
        return np.zeros(n, np.int64)
    weights = rng.pareto(exponent - 1.0, n) + 1.0
    weights = np.minimum(weights * (total / weights.sum()), n - 1.0)
    degrees: np.ndarray = np.floor(weights).astype(np.int64)
    short = min(round(total) - int(degrees.sum()), n)
    if short > 0:  # weighted sampling without replacement (Efraimidis and Spirakis 2006)
        keys = np.log(rng.random(n)) / np.maximum(weights - degrees, 1e-12)
        degrees[np.argpartition(-keys, short - 1)[:short]] += 1
    return degrees


def _simple(pairs: np.ndarray, n_users: int) -> np.ndarray:
    """The distinct ``pairs`` without self-follows, sorted by follower then followee."""
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    keys = np.sort(pairs[:, 0] * np.int64(n_users) + pairs[:, 1])
    keys = keys[np.diff(keys, prepend=-1) != 0]  # np.unique hashes them: slower
    return np.column_stack([keys // n_users, keys % n_users])


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
