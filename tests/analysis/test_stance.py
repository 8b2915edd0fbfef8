"""Stance trajectories from stored changes: the run's results and the dashboard read them alike."""

from __future__ import annotations

import numpy as np
import pandas as pd

from oasis.analysis.stance import stances_at, trajectories

# Agent 7 starts at 0.5 and changes twice at step 1 (the later row counts); agent 3 has no
# stance until step 2. Rows are not in step order.
CHANGES = pd.DataFrame(
    {"user_id": [3, 7, 7, 7], "step": [2, -1, 1, 1], "stance": [-0.4, 0.5, 0.1, 0.9]}
)


def test_stances_at_gives_each_agents_latest_stance_after_each_step():
    found = list(stances_at(CHANGES, [-1, 1, 3]))
    assert [step for step, _, _ in found] == [-1, 1, 3]
    assert all(ids.tolist() == [3, 7] for _, ids, _ in found)
    np.testing.assert_array_equal(
        np.array([values for _, _, values in found]),
        [[np.nan, 0.5], [np.nan, 0.9], [-0.4, 0.9]],  # NaN: no stance yet
    )


def test_trajectories_fill_every_step_and_name_groups():
    paths = trajectories(CHANGES, steps=3, groups={7: "g"})
    assert paths["step"].tolist() == [-1, -1, 0, 0, 1, 1, 2, 2]
    assert paths["agent_id"].tolist() == [3, 7] * 4
    assert paths["group"].tolist() == ["", "g"] * 4
    assert np.allclose(
        paths["stance"], [np.nan, 0.5, np.nan, 0.5, np.nan, 0.9, -0.4, 0.9], equal_nan=True
    )
