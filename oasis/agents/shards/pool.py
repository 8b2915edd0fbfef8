"""Where decisions are computed: in this process, or spread over Ray shard actors.

:class:`RayPool` partitions agents by ``agent_id % shards``, so an agent always lands on the
same shard. Each step it sends every shard ONE call with its LLM agents' contexts (an Arrow
table) and its slice of the heuristic batch (numpy columns), and puts the answers back in the
caller's order. A shard that dies mid-step is recreated from its spec and its part of the step
sent again; decisions are a function of (seed, step, agent, LLM answer), so the retry gives the
same actions and the driver still applies the step once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import reduce
from typing import Any, Protocol

import numpy as np

from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.llm.chat import LLMStats
from oasis.agents.policy import AgentContext
from oasis.agents.settings import WorkerSpec
from oasis.agents.shards.arrow_records import actions_from_arrow, contexts_to_arrow, take_agents
from oasis.agents.shards.ray_runtime import ensure_ray
from oasis.agents.shards.settings import RaySettings
from oasis.agents.shards.shard import AgentShard
from oasis.agents.shards.worker import AgentWorker, Decisions
from oasis.core.actions import Action
from oasis.errors import OasisError


class ShardFailedError(OasisError, RuntimeError):
    """A shard kept dying: its part of the step failed after every allowed restart."""


class AgentPool(Protocol):
    """Decides a step for every active agent, wherever the workers live."""

    def decide(
        self, step: int, contexts: Sequence[AgentContext], heuristic: HeuristicBatch
    ) -> Decisions:
        """Actions aligned with ``contexts`` and with ``heuristic.agent_ids``."""
        ...

    def interview(self, contexts: Sequence[AgentContext], question: str) -> list[Action]:
        """One INTERVIEW action per context."""
        ...

    def in_flight(self) -> int:
        """LLM requests being answered right now, over all workers; safe from another thread."""
        ...

    def close(self) -> None:
        """Release the workers."""
        ...


class LocalPool:
    """One worker in this process: tiny runs, tests, and runs without Ray."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.worker = AgentWorker(spec)

    def decide(
        self, step: int, contexts: Sequence[AgentContext], heuristic: HeuristicBatch
    ) -> Decisions:
        """Decide in this process."""
        return self.worker.decide(step, contexts, heuristic)

    def interview(self, contexts: Sequence[AgentContext], question: str) -> list[Action]:
        """Interview in this process."""
        return self.worker.interview(contexts, question)

    def in_flight(self) -> int:
        """The worker's requests in flight."""
        return self.worker.in_flight()

    def close(self) -> None:
        """Nothing to release."""


class RayPool:
    """``ray.shards`` async Ray actors, each deciding for the agents with its id remainder.

    Args:
        spec: what each shard's worker needs.
        ray: where Ray runs, how many shards and their CPUs.
        max_restarts: how many times one shard may be recreated within one call.
    """

    def __init__(self, spec: WorkerSpec, ray: RaySettings, max_restarts: int = 3) -> None:
        ensure_ray(ray)
        self.spec = spec
        self.ray = ray
        self.shards = ray.shards
        self.max_restarts = max_restarts
        self.actors = [self._spawn(i) for i in range(self.shards)]

    def decide(
        self, step: int, contexts: Sequence[AgentContext], heuristic: HeuristicBatch
    ) -> Decisions:
        """One call per shard; actions re-aligned with ``contexts`` and ``heuristic.agent_ids``."""
        llm_ids = _agent_ids(contexts)
        llm_rows, rule_rows = self._rows(llm_ids), self._rows(heuristic.agent_ids)
        payloads = [
            (step, _contexts(contexts, llm_rows[s]), take_agents(heuristic, rule_rows[s]))
            for s in range(self.shards)
        ]
        replies, restarts = self._call_all("decide", payloads)
        llm: list[list[Action]] = [[] for _ in contexts]
        rule_based: list[list[Action]] = [[] for _ in heuristic.agent_ids]
        for s, reply in enumerate(replies):
            _place(llm, llm_rows[s], llm_ids, reply.llm)
            _place(rule_based, rule_rows[s], heuristic.agent_ids, reply.heuristic)
        usage = tuple(replace(r.usage, restarts=n) for r, n in zip(replies, restarts, strict=True))
        stats = reduce(lambda a, b: a + b, (u.stats for u in usage), LLMStats())
        groups: dict[str, LLMStats] = {}
        for part in usage:
            for name, counted in part.groups.items():
                groups[name] = groups.get(name, LLMStats()) + counted
        return Decisions(llm, rule_based, stats, usage, groups)

    def interview(self, contexts: Sequence[AgentContext], question: str) -> list[Action]:
        """One INTERVIEW action per context, each asked on its agent's shard."""
        ids = _agent_ids(contexts)
        rows = self._rows(ids)
        payloads = [(_contexts(contexts, rows[s]), question) for s in range(self.shards)]
        tables, _ = self._call_all("interview", payloads)
        asked: list[list[Action]] = [[] for _ in contexts]
        for s, table in enumerate(tables):
            _place(asked, rows[s], ids, table)
        return [actions[0] for actions in asked]

    def in_flight(self) -> int:
        """The sum over the shards; a shard that does not answer within a second counts 0."""
        import ray
        from ray.exceptions import RayActorError

        refs = [actor.in_flight.remote() for actor in self.actors]
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=1.0)
        total = 0
        for ref in ready:
            try:
                total += int(ray.get(ref))
            except RayActorError:  # died since; its part of the step is being retried
                continue
        return total

    def close(self) -> None:
        """Stop the shard actors; Ray itself stays up for whatever else the process runs."""
        import ray

        for actor in self.actors:
            ray.kill(actor)

    def _rows(self, agent_ids: np.ndarray) -> list[np.ndarray]:
        """Per shard, the positions in ``agent_ids`` of the agents it owns."""
        shard = agent_ids % self.shards
        return [np.flatnonzero(shard == s) for s in range(self.shards)]

    def _spawn(self, index: int) -> Any:
        import ray

        cpus = self.ray.cpus_per_shard
        return (
            ray.remote(AgentShard).options(num_cpus=cpus, max_restarts=0).remote(self.spec, index)
        )

    def _submit(self, shard: int, method: str, args: Sequence[Any]) -> Any:
        """Send one call to one shard; ``args`` are object refs, so a retry sends no data again."""
        return getattr(self.actors[shard], method).remote(*args)

    def _call_all(
        self, method: str, payloads: Sequence[tuple[Any, ...]]
    ) -> tuple[list[Any], list[int]]:
        """Every shard's answer to ``method`` and how often it was restarted meanwhile."""
        import ray

        args = [[ray.put(a) for a in payload] for payload in payloads]
        refs = [self._submit(s, method, args[s]) for s in range(self.shards)]
        collected = [self._collect(s, method, args[s], ref) for s, ref in enumerate(refs)]
        return [answer for answer, _ in collected], [n for _, n in collected]

    def _collect(self, shard: int, method: str, args: Sequence[Any], ref: Any) -> tuple[Any, int]:
        """One shard's answer; a dead shard is recreated and sent its part again."""
        import ray
        from ray.exceptions import RayActorError

        restarts = 0
        while True:
            try:
                return ray.get(ref), restarts
            except RayActorError as died:
                if restarts == self.max_restarts:
                    raise ShardFailedError(f"shard {shard} died {restarts + 1} times") from died
            restarts += 1
            self.actors[shard] = self._spawn(shard)
            ref = self._submit(shard, method, args)


def _agent_ids(contexts: Sequence[AgentContext]) -> np.ndarray:
    return np.array([c.profile.agent_id for c in contexts], np.int64)


def _contexts(contexts: Sequence[AgentContext], rows: np.ndarray) -> Any:
    return contexts_to_arrow([contexts[int(i)] for i in rows])


def _place(target: list[list[Action]], rows: np.ndarray, agent_ids: np.ndarray, table: Any) -> None:
    """Put a shard's actions table into ``target`` at the rows its agents came from."""
    decoded = actions_from_arrow(table, agent_ids[rows].tolist())
    for row, actions in zip(rows.tolist(), decoded, strict=True):
        target[row] = actions


def make_pool(spec: WorkerSpec, ray: RaySettings) -> AgentPool:
    """The pool ``ray`` asks for: in this process with ``mode`` none, else Ray shards."""
    return LocalPool(spec) if ray.mode == "none" else RayPool(spec, ray)
