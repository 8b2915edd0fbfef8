"""Agent shards: the pool, the shard, its worker, Ray start-up and the Arrow records they pass."""
