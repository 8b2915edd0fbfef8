"""OASIS: a social-media simulator whose users are played by LLM agents."""

from oasis.core.actions import Action, ActionResult, ActionType

__all__ = ["Action", "ActionResult", "ActionType"]
