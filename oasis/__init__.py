"""OASIS: a social-media simulator whose users are played by LLM agents."""
