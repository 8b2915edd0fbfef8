"""Agent shards: the pool that partitions agents, the plain shard class, its worker and Ray."""
