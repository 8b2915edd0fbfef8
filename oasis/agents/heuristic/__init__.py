"""Agents without an LLM: the heuristic policy, its attention kernel and its settings."""
