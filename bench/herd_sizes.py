"""The herd example at several population sizes, at the shipped defaults, over seeds.

    python -m bench.herd_sizes --users 36 360 1000 3600 --seeds 1 2 3 4 5

36 is the example as shipped (OASIS's 36 Reddit personas); larger sizes grow a synthetic
population (Twitter seed profiles with the Reddit interests) on the same 220 threads, so each
comment is viewed more often. Per size it prints the agents' mean score, up- and down-votes per
first comment by planted vote (the planted vote left out) with 95% t intervals over the seeds'
means, the permutation tests against control over the threads (each summed over the seeds), and
the up-votes on up- and down-treated comments relative to the control's (Muchnik et al. 2013:
1.32 for the next rater of an up-treated comment), per thread and per view (the votes over the
views of the threads' posts: a thread shown more often gets more votes, whatever the planted
vote). Figures depend on the machine only for the wall time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.machine import describe
from oasis.analysis.herd import agent_votes, herd_intervals, herd_tests
from oasis.config import ExperimentConfig, load_config
from oasis.datasets.settings import BUILTIN_DATA
from oasis.loop.simulation import Simulation

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "reddit_herd_effect.yaml"


def sized(config: ExperimentConfig, users: int, seed: int, out: Path) -> ExperimentConfig:
    """The example with ``users`` agents (a synthetic population past its 36) and ``seed``."""
    update: dict[str, object] = {"seed": seed, "output": out}
    if users != 36:
        update["population"] = config.population.model_copy(
            update={
                "source": "synthetic",
                "path": BUILTIN_DATA / "twitter" / "user_all_id_time.csv",
                "n_users": users,
                "interests_path": config.population.path,
            }
        )
    return config.model_copy(update=update)


def run(config: ExperimentConfig) -> pd.DataFrame:
    simulation = Simulation.open(config)
    try:
        simulation.run()
        table = simulation.herd_table()
    finally:
        simulation.close()
    assert table is not None
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[36, 360])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    args = parser.parse_args()
    print(describe(), f"load average {os.getloadavg()[0]:.1f}")
    base = load_config(EXAMPLE, environ={})
    with tempfile.TemporaryDirectory() as tmp:
        for users in args.users:
            start = time.perf_counter()
            tables = [
                run(sized(base, users, seed, Path(tmp) / f"{users}-{seed}")) for seed in args.seeds
            ]
            comments = pd.concat(tables, ignore_index=True)
            report(users, comments, time.perf_counter() - start)


def report(users: int, comments: pd.DataFrame, seconds: float) -> None:
    table = herd_intervals(comments)
    votes = agent_votes(comments).groupby("group")[["likes", "dislikes", "views"]].sum()
    print(f"\n{users} agents, {table['seeds'].iloc[0]} seeds, {seconds:.0f} s")
    for group, row in table.iterrows():
        per_view = votes.loc[group] / votes.loc[group, "views"]
        print(
            f"  {group:<8} score {row.mean_score:6.3f} [{row.seed_lo_score:6.3f}, "
            f"{row.seed_hi_score:6.3f}]  up {row.mean_likes:6.3f}  down {row.mean_dislikes:6.3f}"
            f"  views/thread {votes.loc[group, 'views'] / row.threads:6.1f}  per view: up "
            f"{per_view['likes']:.4f} down {per_view['dislikes']:.4f}"
        )
    for row in herd_tests(comments).itertuples():
        print(f"  {row.comparison} ({row.measure}): {row.difference:+.4f}, p {row.p_value:.4f}")
    rate = votes["likes"] / votes["views"]
    print(
        f"  up-votes per view relative to control: up-treated {rate['up'] / rate['control']:.2f},"
        f" down-treated {rate['down'] / rate['control']:.2f}"
    )


if __name__ == "__main__":
    main()
