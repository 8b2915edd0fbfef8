"""Per-phase step time: late phases go back to their own step; the table adds up."""

from __future__ import annotations

import math

import pytest

from oasis.analysis.step_time import phase_seconds, phase_table


def test_late_phases_are_put_back_with_their_step():
    steps = [
        (1, {"phases": {"feeds": 2.0}, "previous_step_phases": {"commit": 0.5}}),
        (0, {"phases": {"feeds": 1.0}}),
        (2, {"phases": {"feeds": 3.0}, "previous_step_phases": {"commit": 0.25}}),
    ]
    seconds = phase_seconds(steps)
    assert list(seconds.index) == [0, 1, 2]
    assert list(seconds.columns) == ["feeds", "commit"]
    assert seconds["commit"].tolist()[:2] == [0.5, 0.25]
    assert math.isnan(seconds.loc[2, "commit"])  # the last step's commit is never recorded


def test_late_phases_without_their_step_are_dropped():
    # A resumed process's first step carries nothing; a step read alone has no previous row.
    seconds = phase_seconds([(5, {"phases": {"feeds": 1.0}, "previous_step_phases": {"a": 9}})])
    assert seconds.to_dict() == {"feeds": {5: 1.0}}


def test_table_shares_add_up_to_the_whole_step():
    seconds = phase_seconds(
        [(0, {"phases": {"feeds": 1.0, "apply": 3.0}}), (1, {"phases": {"feeds": 3.0}})]
    )
    table = phase_table(seconds).set_index("phase")
    assert table.loc["feeds", "mean_s"] == 2.0
    assert table.loc["step", "mean_s"] == 5.0  # the sum of the phases' means
    assert table.loc["feeds", "share_percent"] == pytest.approx(40.0)
    assert table["share_percent"].iloc[:-1].sum() == pytest.approx(100.0)
    assert table.loc["step", "max_s"] == 4.0
    assert table.loc["apply", "max_s"] == 3.0


def test_steps_without_phases_give_an_empty_frame():
    assert phase_seconds([(0, {"active": 3})]).columns.empty
