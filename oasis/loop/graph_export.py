"""``oasis export RUN --graph follows|cascades``: a run's graph written for Gephi or networkx."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from oasis.analysis.graphs import GraphFormat, cascade_edges, cut_follows, write_graph
from oasis.core.rng import Stream, uniform
from oasis.loop.run_tables import RunTables

GraphKind = Literal["follows", "cascades"]


def sample_users(user_ids: np.ndarray, size: int, seed: int) -> np.ndarray:
    """``size`` users drawn without replacement, the same ones for the same seed."""
    draws = uniform(seed, Stream.POPULATION, 1, user_ids)[:, 0]
    return np.sort(user_ids[np.argsort(draws, kind="stable")[:size]])


def export_graph(
    run: RunTables,
    kind: GraphKind,
    fmt: GraphFormat,
    out: Path,
    *,
    until_step: int | None = None,
    sample: int | None = None,
    k_core: int | None = None,
    roots: tuple[int, ...] = (),
    seed: int = 0,
) -> int:
    """Write the follow graph or the cascade trees of ``run`` to ``out``; returns the edges.

    Follows may be cut to those made by ``until_step``, to a seeded ``sample`` of users and to
    their ``k_core``; nodes are user ids labelled with user names, every (sampled) user, with
    follows or without, unless cut to a k-core (an edge list holds only the edges). Cascades
    are the trees of ``roots`` (default: every post that was shared), nodes are post ids
    labelled ``@author``.
    """
    users = run.users()
    if kind == "follows":
        ids = users["user_id"].to_numpy(np.int64)
        chosen = sample_users(ids, sample, seed) if sample is not None else None
        edges = cut_follows(run.follow_pairs(until_step), chosen, k_core)
        names = dict(zip(ids.tolist(), users["user_name"].astype(str), strict=True))
        # every chosen user is a node, followed or not (degree distributions keep their
        # zeros); a k-core holds only the users left in it
        nodes = np.unique(edges) if k_core is not None else (ids if chosen is None else chosen)
        labels = {int(u): names[int(u)] for u in nodes}
        return write_graph(out, edges, fmt, labels)
    posts = run.posts()
    shared = posts["original_post_id"].dropna().astype(np.int64).unique()
    chosen_roots = roots or tuple(int(r) for r in np.sort(shared))
    edges = cascade_edges(posts, chosen_roots, "created_step")
    names = dict(zip(users["user_id"].tolist(), users["user_name"].astype(str), strict=True))
    author = dict(zip(posts["post_id"].tolist(), posts["user_id"].tolist(), strict=True))
    nodes = np.unique(np.concatenate([edges.reshape(-1), np.array(chosen_roots, np.int64)]))
    labels = {int(p): "@" + names.get(author[int(p)], str(author[int(p)])) for p in nodes}
    return write_graph(out, edges, fmt, labels)
