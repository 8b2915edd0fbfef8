"""Herd effect: how a planted first vote moves a comment's final score (OASIS's Reddit study).

Each comment was seeded with one up vote, one down vote or none (the ``up``, ``down`` and
``control`` groups of ``counterfactual_36.json``); after the run its score is
``num_likes - num_dislikes``, planted vote included, as the platform counts it. A herd effect
shows as ``up`` > ``control`` > ``down`` mean scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from oasis.core.rng import Stream, generator

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


MEASURES = ("score", "likes", "dislikes")
_PLANTED = {"up": (1, 0), "down": (0, 1), "control": (0, 0)}


def agent_votes(comments: pd.DataFrame) -> pd.DataFrame:
    """Each first comment's votes by the agents, the planted vote left out.

    Args:
        comments: Columns ``group``, ``num_likes`` and ``num_dislikes`` (the platform's counts,
            planted vote included), optionally ``seed``.

    Returns:
        Columns ``seed`` (0 when absent), ``group``, ``likes``, ``dislikes``, ``score`` and,
        where ``comments`` has them, ``views`` (the thread's open views: feeds that showed its
        post to an agent who had not yet voted on the comment) and ``thread`` (its index in
        the seed file).
    """
    group = comments["group"].astype(str)
    planted = np.array([_PLANTED[g] for g in group], np.int64).reshape(-1, 2)
    likes = comments["num_likes"].to_numpy(np.int64) - planted[:, 0]
    dislikes = comments["num_dislikes"].to_numpy(np.int64) - planted[:, 1]
    seed = comments["seed"].to_numpy() if "seed" in comments else np.zeros(len(comments), int)
    extra = {c: comments[c].to_numpy(np.int64) for c in ("views", "thread") if c in comments}
    return pd.DataFrame(
        {"seed": seed, "group": group.to_numpy(), "likes": likes, "dislikes": dislikes,
         "score": likes - dislikes, **extra}
    )  # fmt: skip


def thread_units(votes: pd.DataFrame) -> pd.DataFrame:
    """The agents' votes (and views) per thread, summed over the seeds.

    A thread's planted vote is the seed file's, the same in every seed, so the seeds are
    repeated measures of one assignment, not fresh randomisations: the thread is the unit a
    test permutes. Without a ``thread`` column each row is its own unit.
    """
    if "thread" not in votes:
        return votes
    columns = [c for c in ("likes", "dislikes", "score", "views") if c in votes]
    summed: pd.DataFrame = votes.groupby(["thread", "group"], as_index=False)[columns].sum()
    return summed


def herd_intervals(comments: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per treatment group, the agents' mean score, likes and dislikes with intervals.

    The planted vote is left out (:func:`agent_votes`), so a difference between the groups is
    what agents did after it. ``lo_*``/``hi_*`` is the t interval over threads (all seeds'
    threads pooled); ``seed_lo_*``/``seed_hi_*`` the t interval over the per-seed means (NaN
    with a single seed).

    Returns:
        Indexed by group (up, control, down): ``threads``, ``seeds`` and, per measure m of
        score/likes/dislikes, ``mean_m``, ``lo_m``, ``hi_m``, ``seed_lo_m``, ``seed_hi_m``.
    """
    votes = agent_votes(comments)
    rows = {}
    for group in ("up", "control", "down"):
        part = votes[votes["group"] == group]
        row: dict[str, float] = {"threads": len(part), "seeds": part["seed"].nunique()}
        for measure in MEASURES:
            values = part[measure].to_numpy(np.float64)
            per_seed = part.groupby("seed")[measure].mean().to_numpy(np.float64)
            row[f"mean_{measure}"] = float(values.mean()) if len(values) else np.nan
            row[f"lo_{measure}"], row[f"hi_{measure}"] = t_interval(values, level)
            row[f"seed_lo_{measure}"], row[f"seed_hi_{measure}"] = t_interval(per_seed, level)
        rows[group] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "group"
    return table


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The t confidence interval of the mean (NaN, NaN below two values)."""
    if len(values) < 2:
        return np.nan, np.nan
    half = stats.t.ppf((1 + level) / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)


def permutation_tests(
    comments: pd.DataFrame, measure: str = "score", permutations: int = 10_000, seed: int = 0
) -> pd.DataFrame:
    """Two-sided permutation tests of up vs control and down vs control on a per-thread measure.

    The statistic is the difference of the group means; its p-value is the share of label
    permutations (drawn from the ``ANALYSIS`` stream, so the same table gives the same p) whose
    difference is at least as large in absolute value, counting the observed one. The labels
    permuted are the threads' (:func:`thread_units`: seeds summed), as the study's were.

    Returns:
        One row per comparison: ``comparison``, ``measure``, ``difference``, ``p_value``,
        ``n_treated`` and ``n_control``.
    """
    return _tests(thread_units(agent_votes(comments)), measure, None, permutations, seed)


def per_view_tests(
    comments: pd.DataFrame, measure: str = "score", permutations: int = 10_000, seed: int = 0
) -> pd.DataFrame:
    """:func:`permutation_tests` of the agents' votes per view rather than per thread.

    The statistic is the difference of the groups' pooled rates, the sum of the measure over
    the sum of ``views`` (the threads' open views: feeds that showed a thread's post to an agent
    who had not yet voted on its comment, each a chance to vote), so threads that happened to be
    shown more often weigh more but do not make a group's rate: the herd effect as a change of
    behaviour per view, the unit of Muchnik et al.'s 32%, whatever the population size and run
    length. Threads never shown count in neither sum.

    Returns:
        As :func:`permutation_tests`, ``measure`` named ``<measure>_per_view``.
    """
    votes = thread_units(agent_votes(comments))
    return _tests(votes[votes["views"] > 0], measure, "views", permutations, seed)


def _tests(
    votes: pd.DataFrame, measure: str, weight: str | None, permutations: int, seed: int
) -> pd.DataFrame:
    ones = pd.Series(1.0, index=votes.index)
    weights = votes[weight].astype(np.float64) if weight else ones
    control = votes["group"] == "control"
    rows = []
    for group in ("up", "down"):
        treated = votes["group"] == group
        rng = generator(seed, Stream.ANALYSIS, 0, 1 if group == "up" else 2)
        difference, p_value = _permutation(
            votes.loc[treated, measure].to_numpy(np.float64),
            votes.loc[control, measure].to_numpy(np.float64),
            (weights[treated].to_numpy(), weights[control].to_numpy()),
            permutations,
            rng,
        )
        rows.append(
            {"comparison": f"{group} vs control",
             "measure": measure if weight is None else f"{measure}_per_view",
             "difference": difference, "p_value": p_value, "n_treated": int(treated.sum()),
             "n_control": int(control.sum())}
        )  # fmt: skip
    return pd.DataFrame(rows)


def _permutation(
    a: np.ndarray,
    b: np.ndarray,
    weights: tuple[np.ndarray, np.ndarray],
    permutations: int,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """Difference of the weighted means (sum / sum of weights) of ``a`` and ``b``, and its p."""
    if len(a) == 0 or len(b) == 0:
        return np.nan, np.nan
    pooled, weight = np.concatenate([a, b]), np.concatenate(weights)
    observed = a.sum() / weights[0].sum() - b.sum() / weights[1].sum()
    shuffled = np.argsort(rng.random((permutations, len(pooled))), axis=1)[:, : len(a)]
    sums, mass = pooled[shuffled].sum(axis=1), weight[shuffled].sum(axis=1)
    differences = sums / mass - (pooled.sum() - sums) / (weight.sum() - mass)
    extreme = np.sum(np.abs(differences) >= abs(observed) - 1e-12)
    return float(observed), float((extreme + 1) / (permutations + 1))


def herd_tests(comments: pd.DataFrame) -> pd.DataFrame:
    """The herd report's tests: per thread on the score; per view on score and up-votes.

    The per-view rows (:func:`per_view_tests`) come only where ``comments`` has ``views``.
    """
    tables = [permutation_tests(comments)]
    if "views" in comments:
        tables += [per_view_tests(comments, measure) for measure in ("score", "likes")]
    return pd.concat(tables, ignore_index=True)
