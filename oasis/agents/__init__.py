"""Agents: profiles, memory, observations, policies; llm/, heuristic/, opinions/, shards/."""
