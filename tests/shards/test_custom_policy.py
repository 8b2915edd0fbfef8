"""Custom policies named ``module:Class`` in the YAML: a rule-based moderator, in-process and on
two Ray shards with the same database, and actions validated like any agent's."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from oasis.agents.policy import AgentContext
from oasis.config import load_config
from oasis.core.actions import Action, ActionType
from oasis.loop.simulation import Simulation
from oasis.platform.schema import Post, Report, Trace
from tests.factories import finished_tables

WORD = "scam"
MODERATOR = "oasis.agents.moderator:WordModerator"
SIGN_UP = {"user_name": "again", "name": "Again", "bio": ""}
FLAGGED = [(0, 3), (0, 4), (1, 5), (1, 6), (2, 7)]  # (step, author) of posts with the word


class Rogue:
    """Acts for another agent, gives bad arguments, and signs up: all must be refused."""

    def decide(self, agents: Sequence[AgentContext]) -> list[list[Action]]:
        return [
            [
                Action(c.profile.agent_id + 1, ActionType.CREATE_POST, {"content": "as you"}),
                Action(c.profile.agent_id, ActionType.LIKE_POST, {"post_id": "x"}),
                Action(c.profile.agent_id, ActionType.SIGN_UP, SIGN_UP),
                Action(c.profile.agent_id, ActionType.CREATE_POST, {"content": "mine"}),
            ]
            for c in agents
        ]


class Broken:
    """Raises: its agents do nothing that step, with the reason kept."""

    def decide(self, agents: Sequence[AgentContext]) -> list[list[Action]]:
        raise RuntimeError("boom")


def write_experiment(folder: Path, kind: str, mode: str, **extra: Any) -> Path:
    events = [
        {"step": s, "kind": "post", "user_id": u, "content": f"Is this a {WORD.upper()}? #{u}"}
        for s, u in FLAGGED
    ] + [{"step": 0, "kind": "post", "user_id": 8, "content": "an honest offer"}]
    raw = {
        "name": f"mod-{kind}-{mode}",
        "seed": 4,
        "steps": 5,
        "output": str(folder),
        "platform": {"kind": kind},
        "population": {"source": "synthetic", "n_users": 40},
        "activation": {"views_per_hour": 0.3},
        "recsys": {"kind": "twitter" if kind == "twitter" else "reddit", "k": 5},
        "policy": {
            "heuristic": {"repost": 0.0},
            "custom": [
                {
                    "name": "moderator",
                    "policy": MODERATOR,
                    "agents": [0],
                    "always_active": True,
                    "options": {"word": WORD},
                }
            ],
        },
        "ray": {"mode": mode, "shards": 2, "cpus_per_shard": 0.25},
        "events": events,
        **extra,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "experiment.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def run(path: Path) -> tuple[dict[str, Any], Any, Any]:
    with Simulation.open(load_config(path, environ={})) as simulation:
        simulation.run()
        with simulation.platform.reader() as reader:
            return simulation.platform.dump(), reader.table(Report), reader.table(Post)


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.usefixtures("ray_session")
@pytest.mark.parametrize("kind", ["twitter", "reddit"])
def test_moderator_reports_every_post_with_the_word_in_process_and_on_two_shards(
    tmp_path: Path, kind: str
) -> None:
    local, reports, posts = run(write_experiment(tmp_path / "local", kind, "none"))
    flagged = posts[posts["content"].str.lower().str.contains(WORD)]
    assert len(flagged) == len(FLAGGED)
    assert set(reports["user_id"]) == {0}
    assert sorted(reports["post_id"]) == sorted(flagged["post_id"])
    sharded, _, _ = run(write_experiment(tmp_path / "ray", kind, "local"))
    assert sharded == local


def test_custom_actions_are_validated_like_any_other(tmp_path: Path) -> None:
    custom = [
        {"name": "rogue", "policy": f"{__name__}:Rogue", "agents": [1], "always_active": True},
        {"name": "broken", "policy": f"{__name__}:Broken", "agents": [2], "always_active": True},
    ]
    path = write_experiment(tmp_path, "twitter", "none", steps=2)
    raw = yaml.safe_load(path.read_text())
    raw["policy"]["custom"] += custom
    path.write_text(yaml.safe_dump(raw))
    [trace] = finished_tables(load_config(path, environ={}), Trace)
    rogue = trace[trace["user_id"] == 1]
    assert (rogue["action"] == "create_post").sum() == 2  # only its own, once per step
    refused = [a["raw"] for a in rogue[rogue["action"] == "do_nothing"]["args"]]
    assert sum("action for agent 2" in r for r in refused) == 2
    assert sum("sign_up is not an agent choice" in r for r in refused) == 2
    assert sum("post_id" in r for r in refused) == 2
    assert not (trace["user_id"] == 2).any() or set(trace[trace["user_id"] == 2]["action"]) == {
        "do_nothing"
    }
    broken = trace[trace["user_id"] == 2]
    assert len(broken) == 2 and all(
        "broken failed: RuntimeError: boom" in a["raw"] for a in broken["args"]
    )


def test_unknown_custom_policy_is_one_error(tmp_path: Path) -> None:
    from oasis.agents.custom import CustomPolicyError

    path = write_experiment(tmp_path, "twitter", "none")
    raw = yaml.safe_load(path.read_text())
    raw["policy"]["custom"][0]["policy"] = "oasis.agents.moderator:Nobody"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(CustomPolicyError, match="Nobody"):
        Simulation.open(load_config(path, environ={}))
