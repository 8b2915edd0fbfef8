"""A shard: decides for its partition of the agents from compact records, and reports its usage.

A plain class with async methods, tested without Ray; :class:`oasis.agents.shards.pool.RayPool`
makes it an async Ray actor with one ``ray.remote`` call. It holds nothing but its worker (the
LLM client and policy): the driver owns memories and the database, so a shard that dies is
replaced by a new one built from its spec alone.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from dataclasses import dataclass

import pyarrow as pa

from oasis.agents.heuristic.policy import HeuristicBatch
from oasis.agents.settings import WorkerSpec
from oasis.agents.shards.arrow_records import actions_to_arrow, contexts_from_arrow
from oasis.agents.shards.worker import AgentWorker, ShardUsage


@dataclass(frozen=True, slots=True)
class ShardReply:
    """A shard's answer for one step: actions tables for its LLM and heuristic agents, usage."""

    llm: pa.Table
    heuristic: pa.Table
    usage: ShardUsage


class AgentShard:
    """Decides the steps of one shard's agents; ``index`` names the shard in its figures."""

    def __init__(self, spec: WorkerSpec, index: int = 0) -> None:
        self.index = index
        self.worker = AgentWorker(spec)

    async def decide(
        self, step: int, contexts: pa.Table, heuristic: HeuristicBatch | None
    ) -> ShardReply:
        """Actions for the agents of ``contexts`` (LLM) and ``heuristic``, as Arrow tables."""
        started = time.perf_counter()
        decided = await self.worker.adecide(step, contexts_from_arrow(contexts), heuristic)
        rss = rss_mb()
        usage = ShardUsage(
            shard=self.index,
            llm_agents=contexts.num_rows,
            heuristic_agents=0 if heuristic is None else len(heuristic.agent_ids),
            rss_mb=rss,
            peak_rss_mb=max(peak_rss_mb(), rss),
            seconds=round(time.perf_counter() - started, 4),
            stats=decided.stats,
            node=ray_node(),
            groups=decided.groups,
        )
        return ShardReply(actions_to_arrow(decided.llm), actions_to_arrow(decided.heuristic), usage)

    async def in_flight(self) -> int:
        """LLM requests being answered right now; served while a ``decide`` call awaits them."""
        return self.worker.in_flight()

    async def interview(self, contexts: pa.Table, question: str) -> pa.Table:
        """One INTERVIEW action per row of ``contexts``, as an actions table."""
        asked = await self.worker.ainterview(contexts_from_arrow(contexts), question)
        return actions_to_arrow([[a] for a in asked])


def ray_node() -> str:
    """The Ray node this process runs on; "" outside Ray (this never imports Ray itself)."""
    ray = sys.modules.get("ray")
    if ray is None or not ray.is_initialized():
        return ""
    return str(ray.get_runtime_context().get_node_id())


def rss_mb() -> float:
    """This process's resident memory now, in MiB (the peak where ``/proc`` is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return peak_rss_mb()
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024
