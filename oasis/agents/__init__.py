"""Agents: profiles, memory, observations, prompts, output parsing, policies and the LLM client."""
