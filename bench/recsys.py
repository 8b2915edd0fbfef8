"""One step's feeds for each recommender at a million users.

    python bench/recsys.py [--users 1000000 --active 100000 --posts 100000]

(with the project installed, or ``PYTHONPATH=.`` from the repository root).

Synthetic world: topic-clustered 64-d post and profile vectors (put straight into the stores;
the hashing encoder's own throughput is timed apart), heavy-tailed follower counts, 50 followees
and 2 mutes per active user, 50 posts already shown to each active user. Each recommender runs
two steps (the second an hour later, after recording the first step's feeds as shown).
Peak memory: the process's resident high-water mark during the step (VmHWM, reset before it).

``who_to_follow`` (in ``--kinds``) ranks suggestions for the same active users over a follow
graph of every user (``--out-degree`` followees each, chosen by popularity): the first-hop
sample, the second hop's rows sliced from that graph (what the platform's bulk read returns),
and the ranking, timed apart.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import faiss
import numpy as np

from oasis.core.arrays import distinct
from oasis.recsys import (
    ActiveUsers,
    HashingEmbedder,
    PostTable,
    RecsysSettings,
    RecsysState,
    l2_normalise,
    make_recommender,
)
from oasis.recsys.settings import WhoToFollowSettings
from oasis.recsys.who_to_follow import FollowGraph, sample_followees, who_to_follow

HOUR = 3600.0


def machine() -> str:
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    model = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        cpu,
    )
    return (
        f"{model} ({cpu}), {os.cpu_count()} cores, {ram:.1f} GiB RAM, Python "
        f"{platform.python_version()}, numpy {np.__version__}, faiss {faiss.__version__}"
    )


def rss_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def clustered(rng: np.random.Generator, centers: np.ndarray, n: int) -> np.ndarray:
    topic = rng.integers(0, centers.shape[0], n)
    noise = rng.standard_normal((n, centers.shape[1]), dtype=np.float32)
    return l2_normalise(centers[topic] + 0.5 * noise)


def build_world(args: argparse.Namespace, state: RecsysState) -> tuple[PostTable, ActiveUsers]:
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((64, args.dim), dtype=np.float32)
    followers = np.minimum((rng.pareto(1.2, args.users) * 20).astype(np.int64), 10**7)
    post_id = np.arange(args.posts, dtype=np.int64)
    author = rng.choice(args.users, args.posts, p=(followers + 1) / (followers + 1).sum())
    likes = np.minimum(rng.zipf(1.8, args.posts) - 1, 10**6).astype(np.int64)
    posts = PostTable(
        post_id,
        author.astype(np.int64),
        rng.uniform(0, 72 * HOUR, args.posts),
        likes,
        rng.poisson(0.3, args.posts),
        (likes * rng.uniform(0, 0.3, args.posts)).astype(np.int64),
    )
    state.posts.put(post_id, clustered(rng, centers, args.posts))
    for lo in range(0, args.users, 250_000):
        ids = np.arange(lo, min(lo + 250_000, args.users))
        state.interests.profiles.put(ids, clustered(rng, centers, ids.size))
    active = np.sort(rng.choice(args.users, args.active, replace=False))
    pick = (followers + 1) / (followers + 1).sum()
    followees = rng.choice(args.users, (args.active, 50), p=pick)
    muted = rng.integers(0, args.users, (args.active, 2))
    authors = np.unique(author)
    users = ActiveUsers(
        active,
        np.arange(args.active + 1) * 50,
        followees.ravel(),
        np.arange(args.active + 1) * 2,
        muted.ravel(),
        authors,
        followers[authors],
    )
    state.shown.add(np.repeat(active, 50), rng.integers(0, args.posts, args.active * 50))
    return posts, users


def run_kind(kind: str, args: argparse.Namespace, state: RecsysState, posts, users) -> None:
    settings = RecsysSettings(kind=kind, k=args.k)
    rec = make_recommender(settings, state.embedder, state)
    shown_before = state.shown.keys.copy()
    now = 72 * HOUR
    for step in (1, 2):
        before = rss_mib("VmRSS")
        reset_peak()
        t0 = time.perf_counter()
        feeds = rec.recommend(posts, users, now, np.random.default_rng(step))
        elapsed = time.perf_counter() - t0
        peak = rss_mib("VmHWM")
        t1 = time.perf_counter()
        state.record_shown(feeds)
        record = time.perf_counter() - t1
        sizes = np.diff(feeds.indptr)
        print(
            f"{kind:9s} step {step}: {elapsed:7.2f} s  feeds {len(feeds):,} "
            f"(mean {sizes.mean():.2f} posts, {int((sizes < args.k).sum()):,} short)  "
            f"peak RSS {peak:,.0f} MiB (+{peak - before:,.0f} over {before:,.0f})  "
            f"record_shown {record:.2f} s",
            flush=True,
        )
        now += HOUR
    state.shown = type(state.shown)(shown_before)


def run_who_to_follow(args: argparse.Namespace, state: RecsysState, users: ActiveUsers) -> None:
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    weight = np.minimum(rng.pareto(1.2, args.users) * 20, 10**7) + 1
    followees = rng.choice(args.users, args.users * args.out_degree, p=weight / weight.sum())
    indptr = np.arange(args.users + 1, dtype=np.int64) * args.out_degree
    followers = np.bincount(followees, minlength=args.users).astype(np.int64)
    everyone = np.arange(args.users, dtype=np.int64)
    print(
        f"who_to_follow graph: {followees.size:,} follows built in "
        f"{time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    settings = WhoToFollowSettings()
    for step in (1, 2):
        reset_peak()
        before = rss_mib("VmRSS")
        t0 = time.perf_counter()
        sampled = sample_followees(users, settings.fanout, np.random.default_rng(step))
        hops = distinct(sampled[sampled >= 0])
        t1 = time.perf_counter()
        counts = indptr[hops + 1] - indptr[hops]
        hop_indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        hop_indices = followees[
            np.repeat(indptr[hops], counts)
            + np.arange(hop_indptr[-1])
            - np.repeat(hop_indptr[:-1], counts)
        ]
        t2 = time.perf_counter()
        graph = FollowGraph(hops, hop_indptr, hop_indices, everyone, followers)
        found = who_to_follow(
            users, sampled, graph, state.interests, settings, np.random.default_rng(step)
        )
        t3 = time.perf_counter()
        peak = rss_mib("VmHWM")
        sizes = np.diff(found.indptr)
        print(
            f"who_to_follow step {step}: {t3 - t0 - (t2 - t1):7.2f} s (sample {t1 - t0:.2f} s, "
            f"rank {t3 - t2:.2f} s; second hop of {hops.size:,} users sliced in "
            f"{t2 - t1:.2f} s apart)  lists {len(sizes):,} (mean {sizes.mean():.2f}, "
            f"{int((sizes < settings.k).sum()):,} short)  peak RSS {peak:,.0f} MiB "
            f"(+{peak - before:,.0f})",
            flush=True,
        )


def encoder_throughput() -> None:
    texts = [
        f"post number {i} about topic {i % 97} and the weather in city {i % 13}"
        for i in range(20_000)
    ]
    t0 = time.perf_counter()
    HashingEmbedder(64).encode(texts)
    rate = len(texts) / (time.perf_counter() - t0)
    print(f"HashingEmbedder(64): {rate:,.0f} texts/s (each post and profile is encoded once)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--active", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out-degree", type=int, default=10)
    parser.add_argument("--kinds", default="random,reddit,interest,twitter,who_to_follow")
    args = parser.parse_args()
    faiss.omp_set_num_threads(args.threads)
    print(machine())
    print(
        f"{args.users:,} users ({args.active:,} active), {args.posts:,} posts, dim {args.dim}, "
        f"k {args.k}, faiss threads {args.threads}"
    )
    encoder_throughput()
    state = RecsysState(HashingEmbedder(args.dim))
    t0 = time.perf_counter()
    posts, users = build_world(args, state)
    print(
        f"world built in {time.perf_counter() - t0:.1f} s, RSS {rss_mib('VmRSS'):,.0f} MiB, "
        f"{len(state.shown):,} shown pairs"
    )
    for kind in args.kinds.split(","):
        if kind == "who_to_follow":
            run_who_to_follow(args, state, users)
        else:
            run_kind(kind, args, state, posts, users)


if __name__ == "__main__":
    main()
