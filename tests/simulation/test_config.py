"""Experiment files: validation that names the key, environment overrides, paths."""

from __future__ import annotations

import re

import pytest

from oasis.config import ConfigError, load_config
from oasis.datasets.settings import BUILTIN_DATA


def write(tmp_path, text: str):
    path = tmp_path / "exp.yaml"
    path.write_text(text)
    return path


def test_defaults_and_relative_paths(tmp_path):
    config = load_config(write(tmp_path, "steps: 3\noutput: out\n"), environ={})
    assert config.steps == 3
    assert config.output == tmp_path / "out"
    assert config.population.path == BUILTIN_DATA / "twitter" / "user_all_id_time.csv"
    assert config.database_url == f"sqlite:///{tmp_path / 'out' / 'oasis.db'}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stepz: 3\n", "stepz: Extra inputs are not permitted"),
        ("steps: -1\n", "steps: Input should be greater than or equal to 1"),
        ("recsys: {kind: magic}\n", "recsys.kind"),
        ("llm: {endpoints: [a], tempreature: 1}\n", "llm.tempreature"),
        ("population: {source: topic}\n", "needs 'topic'"),
        ("events: [{step: 1, kind: post}]\n", "a post event needs user_id, content"),
        ("actions: [sign_up]\n", "sign_up is not an agent choice"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("steps: [unclosed\n", "exp.yaml"),
    ],
)
def test_bad_files_are_rejected_with_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(write(tmp_path, text), environ={})


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.yaml"):
        load_config(tmp_path / "nope.yaml", environ={})


def test_environment_overrides(tmp_path):
    environ = {
        "OASIS_DATABASE_URL": "postgresql://db/x",
        "OASIS_LLM_ENDPOINTS": "http://a/v1,http://b/v1",
        "RAY_ADDRESS": "ray://head:10001",
    }
    config = load_config(write(tmp_path, "llm: {model: m}\n"), environ=environ)
    assert config.database_url == "postgresql://db/x"
    assert config.llm.endpoints == ("http://a/v1", "http://b/v1") and config.llm.model == "m"
    assert (config.ray.mode, config.ray.address) == ("cluster", "ray://head:10001")


@pytest.mark.parametrize(
    ("text", "new"),
    [
        ("candidate_window_steps: 6\n", "use candidate_window_hours"),
        ("activation: {probability: 0.3}\n", "activation: Value error, 'probability' is no"),
        ("platform: {trend_window_steps: 3}\n", "use trend_window_hours"),
    ],
)
def test_keys_whose_unit_changed_are_refused_naming_the_new_key(tmp_path, text, new):
    with pytest.raises(ConfigError, match=re.escape(new)) as refused:
        load_config(write(tmp_path, text), environ={})
    assert "\n" not in str(refused.value)
