"""Issue #25.1: real curves are read without running code, in OASIS's own three-folder layout."""

from __future__ import annotations

import builtins
import json
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from oasis.analysis.comparison import load_real_curves, nrmse
from oasis.analysis.safe_pickle import UnsafePickleError, load_numbers
from oasis.cli import app

# A topic's real curves as OASIS keeps them: each metric its own minutes, of different lengths.
# Plain lists, a numpy array and a pandas Series: what a researcher's pickle.dump may hold.
TOPIC = "Tech_Leak_3"
SCALE = ([0, 1, 2, 5, 10], [1, 3, 4, 6, 8])
DEPTH = (np.array([0, 2, 7]), np.array([1, 2, 3]))
BREADTH = (pd.Series([0, 1, 2, 3]), pd.Series([1, 2, 2, 3]))
# By hand, on the union of the minutes, each curve holding its last value:
MINUTES = [0, 1, 2, 3, 5, 7, 10]
EXPECTED = {
    "scale": [1, 3, 4, 4, 6, 6, 8],
    "depth": [1, 1, 2, 2, 2, 3, 3],
    "max_breadth": [1, 2, 2, 3, 3, 3, 3],
}


def oasis_layout(root: Path) -> Path:
    """``real_data_scale/``, ``real_data_depth/``, ``real_data_max_breadth/`` of one topic."""
    for metric, (times, values) in {"scale": SCALE, "depth": DEPTH, "max_breadth": BREADTH}.items():
        folder = root / f"real_data_{metric}"
        folder.mkdir(parents=True)
        (folder / f"{TOPIC}.pkl").write_bytes(pickle.dumps(values))
        (folder / f"{TOPIC}_time.pkl").write_bytes(pickle.dumps(times))
    return root


def a_run(folder: Path, topic: str | None = None) -> Path:
    """A results folder with one cascade (root 7) and its comparison record."""
    folder.mkdir()
    pd.DataFrame(
        {"time": [0.0, 2.0], "scale": [1, 4], "depth": [1, 2], "max_breadth": [1, 3]}
    ).assign(root_post_id=7).to_csv(folder / "cascades.csv", index=False)
    record: dict[str, Any] = {"root_post_id": 7, "topic": topic}
    (folder / "comparison.json").write_text(json.dumps(record))
    return folder


def test_oasis_three_folder_layout_is_read_directly(tmp_path) -> None:
    curves = load_real_curves(oasis_layout(tmp_path / "real"), TOPIC)
    assert curves["minute"].tolist() == MINUTES
    for metric, values in EXPECTED.items():
        assert curves[metric].tolist() == values, metric


def test_compare_takes_the_folder_and_the_run_s_own_topic(tmp_path) -> None:
    real = oasis_layout(tmp_path / "real")
    run = a_run(tmp_path / "run", topic=TOPIC)
    expected = nrmse(pd.read_csv(run / "cascades.csv"), load_real_curves(real, TOPIC), 11)
    done = CliRunner().invoke(app, ["compare", str(run), str(real), "--minutes", "11"])
    assert done.exit_code == 0, done.output
    assert f"scale: NRMSE {expected['scale']:.3f}" in done.stdout
    other = a_run(tmp_path / "other")  # no topic of its own: --topic names it
    named = CliRunner().invoke(app, ["compare", str(other), str(real), "--topic", TOPIC])
    assert named.exit_code == 0, named.output
    unnamed = CliRunner().invoke(app, ["compare", str(other), str(real)])
    assert unnamed.exit_code == 2 and "--topic" in unnamed.stderr


def test_a_missing_time_file_or_unequal_lengths_are_one_line(tmp_path) -> None:
    real = oasis_layout(tmp_path / "real")
    run = a_run(tmp_path / "run", topic=TOPIC)
    (real / "real_data_depth" / f"{TOPIC}_time.pkl").write_bytes(pickle.dumps([0, 1]))
    short = CliRunner().invoke(app, ["compare", str(run), str(real)])
    assert short.exit_code == 2 and short.stderr.count("\n") == 1
    assert "2 minutes for 3 values" in short.stderr
    (real / "real_data_depth" / f"{TOPIC}_time.pkl").unlink()
    gone = CliRunner().invoke(app, ["compare", str(run), str(real)])
    assert gone.exit_code == 2 and "_time.pkl: no such file" in gone.stderr


class _RunsAShellCommand:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


class _OpensAFile:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (builtins.open, (str(self.marker), "w"))


@pytest.mark.parametrize("crafted", [_RunsAShellCommand, _OpensAFile])
@pytest.mark.parametrize("name", ["curves.txt", "curves.pkl"])
def test_a_crafted_pickle_creates_nothing(tmp_path, crafted, name) -> None:
    marker = tmp_path / "created"
    curves = tmp_path / name
    curves.write_bytes(pickle.dumps({"scale": [1], "depth": crafted(marker), "max_breadth": [1]}))
    done = CliRunner().invoke(app, ["compare", str(a_run(tmp_path / "run")), str(curves)])
    assert not marker.exists()
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "refused" in lines[0]
    with pytest.raises(UnsafePickleError, match="not curve data"):
        load_numbers(curves)
    assert not marker.exists()


def test_the_closed_list_still_reads_numbers_arrays_and_series(tmp_path) -> None:
    data = {"a": [1, 2.5], "b": (np.arange(3), np.float64(2.0)), "c": pd.Series([1, 2])}
    for protocol in (2, 4, 5):
        path = tmp_path / f"p{protocol}.pkl"
        path.write_bytes(pickle.dumps(data, protocol=protocol))
        loaded = load_numbers(path)
        assert loaded["a"] == [1, 2.5]
        assert loaded["b"][0].tolist() == [0, 1, 2] and loaded["b"][1] == 2.0
        assert loaded["c"].tolist() == [1, 2]
