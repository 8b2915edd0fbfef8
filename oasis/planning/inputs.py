"""What ``oasis plan`` feeds the capacity planner, measured from this experiment's own prompts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from oasis.agents.llm.chat import LLMStats
from oasis.agents.llm.prompts import build_messages, system_prompt
from oasis.agents.memory import AgentMemory
from oasis.agents.observation import Observation, PostView
from oasis.agents.profile import Profile
from oasis.config import ExperimentConfig
from oasis.core.clock import hourly_probabilities, step_activity
from oasis.datasets.population import Population
from oasis.loop.roster import agent_multipliers, llm_mask
from oasis.planning.capacity import PlanError, PlanInputs, estimate_tokens, parse_model_size

TYPICAL_POST = "A typical post of about two hundred characters. " * 4
TYPICAL_ANSWER_TOKENS = 60.0


def sample_prompts(config: ExperimentConfig, population: Population, n: int = 50) -> list[str]:
    """Rendered decision prompts of up to ``n`` agents, each with a full feed of typical posts."""
    system = system_prompt(config.platform.kind, config.allowed_actions, config.llm.max_actions)
    feed = tuple(
        PostView(i, i, f"user{i}", TYPICAL_POST, 0, likes=3) for i in range(config.recsys.k)
    )
    prompts = []
    for row in population.users.head(n).itertuples():
        profile = Profile(
            int(row.user_id), str(row.user_name), str(row.name), str(row.bio), str(row.persona)
        )
        observation = Observation(int(row.user_id), 1, "2026-01-01 08:00", feed, 10, 10)
        messages = build_messages(system, profile, AgentMemory(), observation)
        prompts.append("\n".join(m["content"] for m in messages))
    return prompts


def mean_activation(
    config: ExperimentConfig, population: Population, agents: np.ndarray | None = None
) -> float:
    """The mean chance that an agent (of the ``agents`` mask, default all) is active in a step.

    Over the day's hours, with each agent's own rate multiplier (``activation.rate_spread``)
    and the profiles scaled over all agents, as the run draws them.
    """
    ids = population.users["user_id"].to_numpy(np.int64)
    spread = agent_multipliers(config, ids)
    multiplier = np.ones(len(ids)) if spread is None else spread
    if config.activation.kind == "uniform" or population.activity is None:
        rates = config.activation.views_per_hour * multiplier[:, None]
    else:
        rates = hourly_probabilities(population.activity) * multiplier[:, None]
    if agents is not None:
        rates = rates[agents]
    chance = step_activity(rates, config.clock.minutes_per_step)[0]
    return float(np.mean(chance)) if chance.size else 0.0


def active_agents(config: ExperimentConfig, population: Population) -> float:
    """The mean number of agents active in a step, LLM and heuristic ones together."""
    return len(population.users) * mean_activation(config, population)


def plan_inputs(
    config: ExperimentConfig, population: Population, gpus: int, model_size: str, gpu: str
) -> PlanInputs:
    """Planner inputs: the agents a run gives to an LLM, their activation, prompt sizes.

    The LLM agents are counted as the run counts them, whether or not endpoints are set.
    """
    prompts = sample_prompts(config, population)
    llm = llm_mask(config, population, without_endpoints=True)
    return PlanInputs(
        n_users=int(llm.sum()),
        activation_probability=mean_activation(config, population, llm),
        steps=config.steps,
        prompt_tokens=float(np.mean([estimate_tokens(p) for p in prompts])),
        completion_tokens=TYPICAL_ANSWER_TOKENS,
        requests_per_active_agent=1.0,
        gpus=gpus,
        model_params=parse_model_size(model_size),
        gpu=gpu,
    )


def measured_inputs(inputs: PlanInputs, steps: Sequence[Mapping[str, Any]]) -> PlanInputs:
    """``inputs`` with the token sizes a finished run measured instead of estimated ones.

    ``steps`` are that run's per-step metrics: the server-reported tokens per request sent,
    and the requests (sent or answered from the cache) per active LLM agent.

    Raises:
        PlanError: the run sent no LLM request, so it measured nothing.
    """
    stats = LLMStats.total(steps)
    if stats.requests == 0:
        raise PlanError("that run sent no LLM request: there are no measured tokens to use")
    asked = stats.requests + stats.cache_hits
    decisions = sum(int(m.get("llm_active") or 0) for m in steps)
    return replace(
        inputs,
        prompt_tokens=stats.prompt_tokens / stats.requests,
        completion_tokens=stats.completion_tokens / stats.requests,
        requests_per_active_agent=asked / decisions if decisions else 1.0,
    )
