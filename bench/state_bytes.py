"""Bytes of in-memory state per agent of the million-agent example, by store.

Run: ``python -m bench.state_bytes [--users 100000] [--steps 2]``.

Sets up ``examples/million_agents.yaml`` scaled to ``--users`` (in-process, SQLite in a temporary
folder), runs ``--steps`` steps, then counts the bytes each store the loop keeps between steps
holds (numpy buffers and the roster's table, strings included) and prints them per agent, with
the machine. What an idle agent costs is what these stores hold for it: none of them grows with
the run's length but the follow graph (by the follows made), the readers' book (8 bytes a like,
dislike, repost or comment vote standing), the comment book (16 bytes a comment, 56 a commented
post) and the candidate window, its IVF lists and the post vectors (by the posts of the last
one or two windows, not of the run; a like or share of an older post embeds it again).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench.machine import describe
from bench.million import experiment
from oasis.loop.simulation import Simulation


def nbytes(*values: Any) -> int:
    """Bytes of the numpy arrays among ``values``, in dicts and in objects' attributes."""
    total = 0
    for value in values:
        if isinstance(value, np.ndarray):
            total += value.nbytes
        elif isinstance(value, dict):
            total += nbytes(*value.values())
        elif hasattr(value, "__dict__"):
            total += nbytes(*vars(value).values())
    return total


def stores(simulation: Simulation) -> dict[str, int]:
    """Bytes held by each store the loop keeps between steps."""
    past = simulation.step_state
    assert past is not None
    recsys = simulation.recommender.state
    tables = {"profiles": recsys.interests.profiles, "moved": recsys.interests.moved}
    return {
        "step state: follow graph": nbytes(past.follows),
        "step state: ids, follower counts": nbytes(past.user_ids, past.followers),
        "step state: window posts": nbytes(past.posts),
        "step state: readers' book": nbytes(past.book.keys),
        "step state: comment book": nbytes(past.comments),
        "recsys: interest vectors": sum(nbytes(t) for t in tables.values()),
        "recsys: post vectors": nbytes(recsys.posts),
        "recsys: shown posts": nbytes(recsys.shown),
        "recsys: IVF lists": nbytes(recsys.lists),
        "roster (profiles, activity)": int(simulation.roster.users.memory_usage(deep=True).sum())
        + nbytes(simulation.roster),
    }


def main() -> None:
    """Set up, run a few steps, print the bytes per agent of each store."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=2)
    args = parser.parse_args()
    print(describe())
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'state.db'}"
        config = experiment(Path(folder), args.users, args.steps, 0, url)
        with Simulation.open(config) as simulation:
            simulation.run()
            held = stores(simulation)
    print(f"{args.users:,} users after {args.steps} steps: bytes per agent by store")
    for name, size in held.items():
        print(f"  {name:34s} {size / args.users:8.1f}")
    print(f"  {'all':34s} {sum(held.values()) / args.users:8.1f}")


if __name__ == "__main__":
    main()
