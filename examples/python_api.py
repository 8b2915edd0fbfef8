"""Drive a small experiment from Python: step it, plug in policies, read it back, export a cascade.

Run from the repository root (or anywhere, with an output folder as the first argument)::

    .venv/bin/python examples/python_api.py [OUTPUT_FOLDER]

Two custom policies play chosen agents: the shipped rule-based moderator (reporting every post
with a word) and ``Booster`` below, a class of this script. A class in a module of your own is
named the same way, ``your.module:YourClass``, and also runs inside Ray shards when the module
is importable there.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import networkx as nx

import oasis

HERE = Path(__file__).resolve().parent


class Booster:
    """Likes and reposts the first post of its feed: a bot that amplifies what it is shown."""

    def decide(self, agents: Sequence[oasis.AgentContext]) -> list[list[oasis.Action]]:
        """One list of actions per agent, observations in, actions out."""
        decided = []
        for ctx in agents:
            me, feed = ctx.profile.agent_id, ctx.observation.feed
            if not feed:
                decided.append([oasis.Action(me, oasis.ActionType.DO_NOTHING, {})])
                continue
            post = feed[0].original_post_id or feed[0].post_id
            decided.append(
                [
                    oasis.Action(me, oasis.ActionType.LIKE_POST, {"post_id": post}),
                    oasis.Action(me, oasis.ActionType.REPOST, {"post_id": post}),
                ]
            )
        return decided


def main(output: Path) -> Path:
    """Run the experiment into ``output``; return the cascade GraphML file it wrote."""
    config = oasis.load_experiment(
        HERE / "quickstart.yaml",
        steps=6,
        output=str(output),
        population={"n_users": 200},
        activation={"kind": "uniform", "views_per_hour": 0.3},
        policy={
            "heuristic": {"repost": 0.2},
            "custom": [
                {
                    "name": "moderator",
                    "policy": "oasis.agents.moderator:WordModerator",
                    "agents": [0],
                    "always_active": True,
                    "options": {"word": "science"},
                },
                {"name": "boosters", "policy": "__main__:Booster", "agents": [1, 2, 3]},
            ],
        },
    )
    with oasis.open_simulation(config) as sim:
        first = sim.step()  # one committed step
        print(f"step {first.step}: {first.active} active, {first.actions} actions")
        sim.run()  # the remaining steps
        sim.write_results()
    with oasis.open_run(output) as run:
        posts, traces, metrics = run.posts(), run.traces(), run.metrics()
        print(f"{len(run.users())} users, {len(run.follows())} follows, {len(posts)} posts")
        print(traces.groupby("action").size().sort_values(ascending=False).head(5).to_string())
        print(metrics[["step", "active", "actions"]].to_string(index=False))
        shares = posts["original_post_id"].dropna().astype(int)
        root = int(shares.value_counts().idxmax()) if len(shares) else int(posts["post_id"][0])
        tree = run.cascade_graph(root)
        follows = run.follow_graph(k_core=3)
    path = output / f"cascade_{root}.graphml"
    nx.write_graphml(tree, path)
    print(f"cascade of post {root}: {tree.number_of_nodes()} nodes -> {path}")
    print(f"follow graph 3-core: {follows.number_of_nodes()} users")
    return path


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "results" / "python_api")
