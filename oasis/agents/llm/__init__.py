"""LLM agents: client, prompts, answer schema and parser, answer cache, LLM policy and groups."""
