"""Who an agent is: the fixed part of its prompt."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Profile:
    """An agent's identity and persona; fixed for a run, so it sits early in the prompt.

    ``llm_group`` names the LLM group that plays the agent ("": the experiment's own LLM); it
    routes the agent's requests and never appears in its prompt.
    """

    agent_id: int
    user_name: str
    name: str
    bio: str
    persona: str = ""
    interests: tuple[str, ...] = ()
    llm_group: str = ""


def render_profile(profile: Profile) -> str:
    """The profile as prompt text, identical for the same profile in every step."""
    lines = [
        f"You are {profile.name} (@{profile.user_name}, user id {profile.agent_id}).",
        f"Bio: {profile.bio}" if profile.bio else "",
        f"Persona: {profile.persona}" if profile.persona else "",
        f"Interests: {', '.join(profile.interests)}" if profile.interests else "",
    ]
    return "\n".join(line for line in lines if line)
