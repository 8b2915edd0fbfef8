"""What crosses the Ray object store: contexts and actions as Arrow tables, feeds as numpy.

A step sends each shard one table of its LLM agents' contexts (one row per agent; the memory
and observation as compact JSON) and one :class:`HeuristicBatch` slice, and gets back one table
of actions (one row per action). Rows, not pickled object graphs per agent, so a step's payload
is a few contiguous buffers whatever the number of agents.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.memory import memory_from_dict, memory_to_dict
from oasis.agents.observation import CommentView, Observation, PostView, UserSuggestion
from oasis.agents.policy import AgentContext
from oasis.agents.profile import Profile
from oasis.core.actions import Action, ActionType

_PROFILE = ("user_name", "name", "bio", "persona", "llm_group")
# Columns of a HeuristicBatch with one value per agent (and the step's length); every other
# column is per feed entry.
_PER_AGENT = frozenset(
    {
        "agent_ids",
        "indptr",
        "topics",
        "stances",
        "suggest_indptr",
        "suggested",
        "view_chance",
        "views",
        "step_s",
    }
)
CONTEXT_SCHEMA = pa.schema(
    [
        ("agent_id", pa.int64()),
        *((f, pa.string()) for f in _PROFILE),
        ("interests", pa.list_(pa.string())),
        ("memory", pa.string()),
        ("observation", pa.string()),
    ]
)
ACTION_SCHEMA = pa.schema(
    [
        ("agent_id", pa.int64()),
        ("seq", pa.int32()),
        ("type", pa.string()),
        ("args", pa.string()),
        ("invalid", pa.string()),
    ]
)


def contexts_to_arrow(contexts: Sequence[AgentContext]) -> pa.Table:
    """One row per context: profile columns, memory and observation as JSON."""
    columns: dict[str, list[Any]] = {
        "agent_id": [c.profile.agent_id for c in contexts],
        **{f: [getattr(c.profile, f) for c in contexts] for f in _PROFILE},
        "interests": [list(c.profile.interests) for c in contexts],
        "memory": [_json(memory_to_dict(c.memory)) for c in contexts],
        "observation": [_json(observation_to_dict(c.observation)) for c in contexts],
    }
    return pa.table(columns, schema=CONTEXT_SCHEMA)


def contexts_from_arrow(table: pa.Table) -> list[AgentContext]:
    """The contexts written by :func:`contexts_to_arrow`, in row order."""
    rows = table.to_pydict()
    memories, observations = _parse_column(rows["memory"]), _parse_column(rows["observation"])
    return [
        AgentContext(
            Profile(
                agent_id=rows["agent_id"][i],
                interests=tuple(rows["interests"][i]),
                **{f: rows[f][i] for f in _PROFILE},
            ),
            memory_from_dict(memories[i]),
            observation_from_dict(observations[i]),
        )
        for i in range(table.num_rows)
    ]


def actions_to_arrow(decisions: Sequence[Sequence[Action]]) -> pa.Table:
    """One row per action: agent id, its position in the agent's list, type and JSON args.

    ``invalid`` carries why a model answer did not parse (``Action.invalid``, null for the
    rest): the trace records it, so a sharded run records what an in-process one does.
    """
    agent_ids, seqs, kinds, args, invalid = [], [], [], [], []
    for actions in decisions:
        for seq, action in enumerate(actions):
            agent_ids.append(action.agent_id)
            seqs.append(seq)
            kinds.append(action.type.value)
            args.append(_json(action.args))
            invalid.append(action.invalid)
    columns = {"agent_id": agent_ids, "seq": seqs, "type": kinds, "args": args, "invalid": invalid}
    return pa.table(columns, schema=ACTION_SCHEMA)


def actions_from_arrow(table: pa.Table, agent_ids: Sequence[int]) -> list[list[Action]]:
    """The actions of ``table`` grouped per agent, one list per id of ``agent_ids``, in order."""
    order = np.lexsort((table["seq"].to_numpy(), table["agent_id"].to_numpy()))
    rows = table.take(order)
    args = _parse_column(rows["args"].to_pylist())
    position = {int(a): i for i, a in enumerate(agent_ids)}
    grouped: list[list[Action]] = [[] for _ in agent_ids]
    kinds, invalid = rows["type"].to_pylist(), rows["invalid"].to_pylist()
    agents = rows["agent_id"].to_pylist()
    for agent, kind, arg, why in zip(agents, kinds, args, invalid, strict=True):
        grouped[position[agent]].append(Action(agent, _TYPES[kind], arg, invalid=why))
    return grouped


def take_agents(batch: HeuristicBatch, rows: np.ndarray) -> HeuristicBatch:
    """The agents at positions ``rows`` of ``batch``, with their feed entries, in that order."""
    lengths = np.diff(batch.indptr)[rows]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    starts = np.repeat(batch.indptr[rows] - indptr[:-1], lengths)
    entries = starts + np.arange(int(indptr[-1]), dtype=np.int64)
    columns = {name: getattr(batch, name) for name in batch.__dataclass_fields__}
    per_entry: dict[str, Any] = {
        name: None if column is None else column[entries]
        for name, column in columns.items()
        if name not in _PER_AGENT
    }
    suggest_indptr, suggested = batch.suggest_indptr, batch.suggested
    if suggest_indptr is not None and suggested is not None:
        suggest_indptr, suggested = _csr_rows(suggest_indptr, suggested, rows)
    return HeuristicBatch(
        agent_ids=batch.agent_ids[rows],
        indptr=indptr,
        topics=[batch.topics[int(i)] for i in rows],
        stances=None if batch.stances is None else batch.stances[rows],
        views=None if batch.views is None else batch.views[rows],
        view_chance=None if batch.view_chance is None else batch.view_chance[rows],
        step_s=batch.step_s,
        suggest_indptr=suggest_indptr,
        suggested=suggested,
        **per_entry,
    )


def _csr_rows(
    indptr: np.ndarray, values: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``rows`` of the CSR ``(indptr, values)``, in that order."""
    lengths = np.diff(indptr)[rows]
    out = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    entries = np.repeat(indptr[rows] - out[:-1], lengths) + np.arange(int(out[-1]))
    return out, values[entries]


def observation_to_dict(observation: Observation) -> dict[str, Any]:
    """A JSON-ready dict of an observation, posts and comments as nested dicts."""
    data = _fields(observation)
    data["feed"] = [
        {**_fields(p), "comments": [_fields(c) for c in p.comments]} for p in observation.feed
    ]
    data["who_to_follow"] = [_fields(s) for s in observation.who_to_follow]
    return data


def observation_from_dict(data: Mapping[str, Any]) -> Observation:
    """The observation written by :func:`observation_to_dict`."""
    feed = tuple(
        PostView(**{**p, "comments": tuple(CommentView(**c) for c in p["comments"])})
        for p in data["feed"]
    )
    lists = {k: tuple(v) for k, v in data.items() if isinstance(v, list) and k != "feed"}
    suggested = tuple(UserSuggestion(**s) for s in data.get("who_to_follow", ()))
    return Observation(**{**data, **lists, "feed": feed, "who_to_follow": suggested})


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def _parse_column(texts: list[str]) -> list[Any]:
    """Parse a column of JSON texts in one call: far cheaper than a json.loads per row."""
    return list(json.loads(f"[{','.join(texts)}]"))


_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_TYPES = {t.value: t for t in ActionType}
