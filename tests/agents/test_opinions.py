"""Each opinion model against its defining behaviour, on small hand-built populations."""

from __future__ import annotations

import inspect
from typing import get_args

import numpy as np
import pytest

from oasis.agents.opinions.dynamics import (
    MODELS,
    deffuant_weisbuch,
    hegselmann_krause,
    initial_stances,
    jager_amblard,
    model_parameters,
    update_stances,
)
from oasis.agents.opinions.settings import OpinionModelName, OpinionSettings, StanceDistribution


def everyone_reads_everyone(stance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Complete mixing: each agent reads every other agent's stance, in id order."""
    n = len(stance)
    read = np.concatenate([np.delete(stance, i) for i in range(n)])
    return np.arange(0, n * (n - 1) + 1, n - 1), read


def rounds(update, stance: np.ndarray, count: int = 40) -> np.ndarray:
    for _ in range(count):
        stance = update(stance, *everyone_reads_everyone(stance))
    return stance


def clusters(stance: np.ndarray, gap: float = 0.1) -> int:
    """Number of groups of stances separated by more than ``gap``."""
    return 1 + int(np.sum(np.diff(np.sort(stance)) > gap))


SPREAD = np.linspace(-1.0, 1.0, 21)


def test_deffuant_wide_bound_reaches_consensus() -> None:
    final = rounds(lambda x, p, r: deffuant_weisbuch(x, p, r, 1.5, 0.3), SPREAD)
    assert np.ptp(final) < 0.01
    assert -1.0 < final.mean() < 1.0  # a compromise, inside the starting range


def test_deffuant_narrow_bound_leaves_clusters() -> None:
    final = rounds(lambda x, p, r: deffuant_weisbuch(x, p, r, 0.15, 0.3), SPREAD)
    assert clusters(final) >= 3
    assert np.ptp(final) > 1.0


def test_hegselmann_krause_wide_bound_reaches_consensus() -> None:
    final = rounds(lambda x, p, r: hegselmann_krause(x, p, r, 1.2), SPREAD, 10)
    assert np.ptp(final) < 1e-9


def test_hegselmann_krause_narrow_bound_leaves_clusters() -> None:
    final = rounds(lambda x, p, r: hegselmann_krause(x, p, r, 0.15), SPREAD, 30)
    assert clusters(final) >= 3
    assert np.ptp(final) > 1.0


def test_jager_amblard_drives_two_opposed_groups_apart() -> None:
    start = np.array([-0.35, -0.3, -0.25, -0.2, 0.2, 0.25, 0.3, 0.35])
    final = rounds(lambda x, p, r: jager_amblard(x, p, r, 0.2, 0.3, 0.1), start, 20)
    before = start[4:].mean() - start[:4].mean()
    after = final[4:].mean() - final[:4].mean()
    assert before == pytest.approx(0.55)
    assert after > 1.8  # both groups pushed to their extremes
    assert np.ptp(final[:4]) < 0.05 and np.ptp(final[4:]) < 0.05


def test_jager_amblard_without_rejection_is_bounded_confidence() -> None:
    start = np.array([-0.35, -0.3, -0.25, -0.2, 0.2, 0.25, 0.3, 0.35])
    final = rounds(lambda x, p, r: jager_amblard(x, p, r, 1.0, 2.0, 0.1), start, 40)
    assert np.ptp(final) < 0.01


def test_items_without_a_stance_are_skipped_and_stances_stay_in_range() -> None:
    stance = np.array([0.9, -0.9])
    indptr, read = np.array([0, 2, 3]), np.array([np.nan, -1.0, np.nan])
    assert deffuant_weisbuch(stance, indptr, read, 0.5, 0.5).tolist() == [0.9, -0.9]
    repelled = jager_amblard(stance, indptr, read, 0.1, 0.2, 0.5)
    assert repelled.tolist() == [1.0, -0.9]
    assert hegselmann_krause(stance, indptr, read, 2.0).tolist() == pytest.approx([-0.05, -0.9])


def test_update_stances_dispatches_on_the_configured_model() -> None:
    stance, indptr, read = np.array([0.0]), np.array([0, 1]), np.array([0.4])
    none = OpinionSettings()
    assert update_stances(none, stance, indptr, read).tolist() == [0.0]
    model = OpinionSettings(model="deffuant", confidence=0.5, convergence=0.5)
    assert update_stances(model, stance, indptr, read).tolist() == pytest.approx([0.2])


def test_initial_stances_follow_the_groups_and_do_not_depend_on_the_population() -> None:
    settings = OpinionSettings(
        groups={
            "conservative": StanceDistribution(mean=-0.6, spread=0.1),
            "progressive": StanceDistribution(mean=0.6, spread=0.1),
        },
        initial=StanceDistribution(mean=0.0, spread=0.0),
    )
    ids = np.arange(400)
    groups = np.array(["conservative", "progressive", "other", "progressive"] * 100)
    stance = initial_stances(settings, 7, ids, groups)
    assert stance[groups == "conservative"].mean() == pytest.approx(-0.6, abs=0.03)
    assert stance[groups == "progressive"].mean() == pytest.approx(0.6, abs=0.03)
    assert (stance[groups == "other"] == 0.0).all()
    assert initial_stances(settings, 7, ids[:10], groups[:10]).tolist() == stance[:10].tolist()
    assert not np.array_equal(initial_stances(settings, 8, ids, groups), stance)


def test_each_model_name_has_one_row_naming_its_function_and_parameters():
    assert set(get_args(OpinionModelName)) == {"none", *MODELS}
    for model, parameters in MODELS.values():
        own = set(inspect.signature(model).parameters) - {"stance", "indptr", "read"}
        assert set(parameters) == own, model.__name__
    settings = OpinionSettings(model="jager_amblard", confidence=0.2, rejection=0.6)
    assert model_parameters(settings) == {"acceptance": 0.2, "rejection": 0.6, "convergence": 0.3}
    assert model_parameters(OpinionSettings()) == {}
