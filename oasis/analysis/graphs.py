"""Graphs out of a run: networkx for analysis, streaming files for Gephi at any size.

Two graphs: the follow graph (``follower -> followee``), optionally cut to the follows made by
a step, to a sample of users, or to its k-core; and a post's cascade tree (each share under the
node it hangs from, as :func:`oasis.analysis.cascade.cascade_tree` builds it). The functions
returning :class:`networkx.DiGraph` are for what fits in memory; :func:`write_graph` writes
GraphML, GEXF or an edge list straight from the edge arrays, so a million-user follow graph
never becomes a million-node networkx object.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Literal, TextIO
from xml.sax.saxutils import quoteattr

import networkx as nx
import numpy as np
import pandas as pd

from oasis.analysis.cascade import cascade_tree

GraphFormat = Literal["graphml", "gexf", "edgelist"]
FORMATS: tuple[GraphFormat, ...] = ("graphml", "gexf", "edgelist")
_CHUNK = 65_536


def cut_follows(
    follows: np.ndarray, users: np.ndarray | None = None, k_core: int | None = None
) -> np.ndarray:
    """The ``(m, 2)`` follow pairs among ``users`` (all if None), then cut to their k-core.

    The k-core (every node with at least ``k`` neighbours, following or followed, inside the
    core, as :func:`networkx.k_core` counts them) is peeled with array passes, never a graph
    object.
    """
    pairs = np.asarray(follows, np.int64).reshape(-1, 2)
    if users is not None:
        keep = np.isin(pairs, np.asarray(users, np.int64)).all(axis=1)
        pairs = pairs[keep]
    if k_core is not None:
        while len(pairs):
            # degree in the undirected simple graph: a mutual follow is one neighbour
            links = np.unique(np.sort(pairs, axis=1), axis=0)
            nodes, degree = np.unique(links, return_counts=True)
            weak = degree[np.searchsorted(nodes, pairs)] < k_core
            if not weak.any():
                break
            pairs = pairs[~weak.any(axis=1)]
    return pairs


def follow_digraph(
    follows: np.ndarray, users: pd.DataFrame | None = None, k_core: int | None = None
) -> nx.DiGraph:
    """The follow graph (``follower -> followee``) as a networkx DiGraph.

    Args:
        follows: ``(m, 2)`` pairs, e.g. :meth:`RunTables.follow_pairs`.
        users: If given, only these users (``user_id`` column), with their columns as node
            attributes (``user_name``, ``name``, counts...).
        k_core: Keep only the k-core.
    """
    ids = None if users is None else users["user_id"].to_numpy(np.int64)
    pairs = cut_follows(follows, ids, k_core)
    graph = nx.DiGraph()
    if users is not None and k_core is None:
        graph.add_nodes_from(ids.tolist())  # type: ignore[union-attr]
    graph.add_edges_from(pairs.tolist())
    if users is not None:
        attrs = users.set_index("user_id", drop=False)
        for node in graph.nodes:
            graph.nodes[node].update(_plain(attrs.loc[node]))
    return graph


def cascade_digraph(
    posts: pd.DataFrame, root_post_id: int, time_column: str = "created_step"
) -> nx.DiGraph:
    """A post's cascade tree as a networkx DiGraph.

    Nodes are post ids with ``user_id``, ``time`` and ``depth`` attributes; each edge runs from
    the node a share hangs under to the share.
    """
    tree = cascade_tree(posts, root_post_id, time_column)
    graph = nx.DiGraph(root_post_id=int(root_post_id))
    for i in range(tree.size):
        graph.add_node(
            int(tree.post_id[i]),
            user_id=int(tree.user_id[i]),
            time=float(tree.time[i]),
            depth=int(tree.depth[i]),
        )
        if tree.parent[i] >= 0:
            graph.add_edge(int(tree.post_id[tree.parent[i]]), int(tree.post_id[i]))
    return graph


def cascade_edges(posts: pd.DataFrame, roots: Sequence[int], time_column: str) -> np.ndarray:
    """All cascade trees of ``roots`` as one ``(m, 2)`` edge array of post ids."""
    parts = [np.empty((0, 2), np.int64)]
    for root in roots:
        tree = cascade_tree(posts, int(root), time_column)
        child = np.flatnonzero(tree.parent >= 0)
        parts.append(np.stack([tree.post_id[tree.parent[child]], tree.post_id[child]], axis=1))
    return np.concatenate(parts).astype(np.int64)


def write_graph(
    path: Path,
    edges: np.ndarray,
    fmt: GraphFormat,
    node_labels: Mapping[int, str] | None = None,
) -> int:
    """Write a directed graph from its ``(m, 2)`` edge array, chunk by chunk.

    Nodes are the ids in ``edges`` (and in ``node_labels``), labelled where given. Returns the
    number of edges written.
    """
    edges = np.asarray(edges, np.int64).reshape(-1, 2)
    with path.open("w", encoding="utf-8") as out:
        if fmt == "edgelist":
            for chunk in _chunks(edges):
                out.write("".join(f"{a} {b}\n" for a, b in chunk.tolist()))
            return len(edges)
        nodes = np.unique(np.concatenate([edges.reshape(-1), list(node_labels or ())]))
        labels = node_labels or {}
        (_write_graphml if fmt == "graphml" else _write_gexf)(out, nodes, edges, labels)
    return len(edges)


def _write_graphml(
    out: TextIO, nodes: np.ndarray, edges: np.ndarray, labels: Mapping[int, str]
) -> None:
    out.write(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        '<key id="label" for="node" attr.name="label" attr.type="string"/>\n'
        '<graph edgedefault="directed">\n'
    )
    for chunk in _chunks(nodes):
        out.write("".join(_graphml_node(n, labels.get(n)) for n in chunk.tolist()))
    for chunk in _chunks(edges):
        out.write("".join(f'<edge source="{a}" target="{b}"/>\n' for a, b in chunk.tolist()))
    out.write("</graph>\n</graphml>\n")


def _graphml_node(node: int, label: str | None) -> str:
    if label is None:
        return f'<node id="{node}"/>\n'
    text = quoteattr(label)[1:-1]
    return f'<node id="{node}"><data key="label">{text}</data></node>\n'


def _write_gexf(
    out: TextIO, nodes: np.ndarray, edges: np.ndarray, labels: Mapping[int, str]
) -> None:
    out.write(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<gexf xmlns="http://gexf.net/1.3" version="1.3">\n'
        '<graph defaultedgetype="directed" mode="static">\n<nodes>\n'
    )
    for chunk in _chunks(nodes):
        out.write(
            "".join(
                f'<node id="{n}" label={quoteattr(labels.get(n, str(n)))}/>\n'
                for n in chunk.tolist()
            )
        )
    out.write("</nodes>\n<edges>\n")
    for offset, chunk in enumerate(_chunks(edges)):
        base = offset * _CHUNK
        out.write(
            "".join(
                f'<edge id="{base + i}" source="{a}" target="{b}"/>\n'
                for i, (a, b) in enumerate(chunk.tolist())
            )
        )
    out.write("</edges>\n</graph>\n</gexf>\n")


def _chunks(rows: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start : start + _CHUNK]


def _plain(row: pd.Series) -> dict[str, object]:
    """Node attributes GraphML and GEXF can hold: numbers and strings."""
    out: dict[str, object] = {}
    for key, value in row.items():
        if isinstance(value, (int, float, str, np.integer, np.floating)):
            out[str(key)] = value.item() if isinstance(value, np.generic) else value
    return out
