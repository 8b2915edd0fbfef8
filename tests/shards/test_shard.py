"""The shard as a plain class, without Ray: the same decisions as a worker, in Arrow tables."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from oasis.agents.shards.arrow_records import actions_from_arrow, contexts_to_arrow
from oasis.agents.shards.shard import AgentShard
from oasis.agents.shards.worker import AgentWorker
from tests.factories import make_batch, make_context
from tests.shards.conftest import MakeConfig


def test_shard_decides_as_the_worker_does(make_config: MakeConfig) -> None:
    config = make_config()
    contexts = [make_context(i) for i in (12, 3, 30)]
    batch = make_batch([4, 8, 15, 16, 23, 42])
    expected = AgentWorker(config.worker_spec()).decide(2, contexts, batch)
    reply = asyncio.run(
        AgentShard(config.worker_spec(), index=1).decide(2, contexts_to_arrow(contexts), batch)
    )
    assert actions_from_arrow(reply.llm, [12, 3, 30]) == expected.llm
    assert actions_from_arrow(reply.heuristic, batch.agent_ids.tolist()) == expected.heuristic
    usage = reply.usage
    assert (usage.shard, usage.llm_agents, usage.heuristic_agents) == (1, 3, 6)
    # The server's prefix cache saw the worker's prompts first: its figure is not the shard's.
    assert replace(usage.stats, prefix_cached_tokens=0) == replace(
        expected.stats, prefix_cached_tokens=0
    )
    assert usage.stats.requests == 3
    assert 0 < usage.rss_mb <= usage.peak_rss_mb


def test_shard_interviews_one_action_per_row(make_config: MakeConfig) -> None:
    contexts = [make_context(i) for i in (5, 1)]
    table = asyncio.run(
        AgentShard(make_config().worker_spec()).interview(contexts_to_arrow(contexts), "Why?")
    )
    asked = actions_from_arrow(table, [5, 1])
    assert [len(a) for a in asked] == [1, 1]
    assert all(a[0].args["prompt"] == "Why?" and a[0].args["response"] for a in asked)
