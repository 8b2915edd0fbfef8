"""Which models and settings produced a run's results: the summary's Models section.

One line per model behind the run's agents and measures (the heuristic's rates, the clock and
activation, the opinion model, the interview scale and stance scorer) and one per LLM group with
its usage over the run, as read back from the steps' figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oasis.agents.heuristic.settings import HeuristicSettings
from oasis.agents.llm.chat import LLMStats
from oasis.agents.llm.groups import DEFAULT_GROUP
from oasis.agents.llm.settings import LLMSettings
from oasis.agents.opinions.dynamics import model_parameters
from oasis.config import ExperimentConfig
from oasis.loop.roster import Roster


def provenance(
    config: ExperimentConfig, roster: Roster, figures: Sequence[dict[str, Any]]
) -> dict[str, str]:
    """Which models and settings produced a run's results, from its steps' ``figures``."""
    usage = _group_usage(figures)
    asked = sum(int(f.get("actions_by_type", {}).get("interview", 0)) for f in figures)
    lines = describe_models(config, len(roster.llm_ids), len(roster.agent_ids), asked)
    playing = roster.users.loc[roster.llm_ids[roster.llm_ids < len(roster.users)], "llm_group"]
    played = [("", DEFAULT_GROUP, config.llm)]
    played += [(g.name, g.name, g.llm) for g in config.llm_groups]
    for key, name, llm in played:
        agents = int((playing == key).sum())
        if agents or name in usage:
            lines[f"llm group {name}"] = _usage_line(llm, agents, usage.get(name))
    return lines


def _usage_line(llm: LLMSettings, agents: int, usage: LLMStats | None) -> str:
    """One LLM group's model, endpoints, agents and usage over the run, for the summary."""
    used = usage or LLMStats()
    return (
        f"model {llm.model} at {', '.join(llm.endpoints)}: {agents} agents; {used.requests}"
        f" requests, {used.failures} failed, {used.retries} retries, {used.invalid_outputs}"
        f" invalid outputs, {used.prompt_tokens} prompt and {used.completion_tokens}"
        " completion tokens"
    )


def _heuristic_line(rates: HeuristicSettings) -> str:
    """The heuristic's social influence and vote rates, as the summary lists them."""
    return (
        f"positive_herding={rates.positive_herding:g}, "
        f"negative_herding={rates.negative_herding:g}, correction={rates.correction:g}, "
        f"popularity_herding={rates.popularity_herding:g}, comment_vote={rates.comment_vote:g}, "
        f"vote_lean={rates.vote_lean:g}, agreement_weight={rates.agreement_weight:g}, "
        f"like={rates.like:g}, dislike={rates.dislike:g}, comment={rates.comment:g}"
    )


def describe_models(
    config: ExperimentConfig, llm_agents: int, agents: int, interviews: int
) -> dict[str, str]:
    """The models behind a run's agents and measures, one line each.

    The interview scale and the stance scorer are listed only where the run used them: the
    scale with any interview answer, the scorer with answers of LLM agents to score.
    """
    lines = {
        "agents": f"{agents} ({llm_agents} played by an LLM, the rest by the heuristic policy)",
        "heuristic": _heuristic_line(config.policy.heuristic),
    }
    lines |= _time_lines(config) | _opinion_lines(config)
    scale, scorer = config.interview.scale, config.interview.scorer
    if interviews:
        lines["interview scale"] = (
            f"{scale.low:g} ({scale.low_label}) to {scale.high:g} ({scale.high_label})"
        )
    if interviews and llm_agents:
        lines["stance scorer"] = (
            f"lexical ({len(scorer.positive)} positive, {len(scorer.negative)} negative phrases)"
            if scorer.kind == "lexical"
            else f"LLM judge {scorer.model or config.llm.model} under a JSON schema"
        )
    return lines


def _opinion_lines(config: ExperimentConfig) -> dict[str, str]:
    """The opinion model and the starting stances (none without opinions)."""
    opinions = config.opinions
    if opinions is None:
        return {}
    parameters = model_parameters(opinions)
    params = ", ".join(f"{name}={value:g}" for name, value in parameters.items())
    params = params or "stances never move"
    starts = {"others": opinions.initial, **opinions.groups}
    return {
        "opinion model": f"{opinions.model} ({params}; comments read: {opinions.read_comments})",
        "starting stances": "; ".join(
            f"{name}: normal(mean={d.mean:g}, sd={d.spread:g}) clipped to [-1, 1]"
            for name, d in starts.items()
        ),
    }


def _time_lines(config: ExperimentConfig) -> dict[str, str]:
    """The clock, activation and the heuristic's chances, each with its unit."""
    rates, activation = config.policy.heuristic, config.activation
    rate = (
        "the seed's hourly profiles (OASIS's P = f / max f)"
        if activation.kind == "profile"
        else f"{activation.views_per_hour:g}"
    )
    return {
        "time": f"{config.clock.minutes_per_step:g} simulated minutes per step; feed views per "
        f"simulated hour: {rate}; candidate window {config.candidate_window_hours:g} hours",
        "heuristic chances": f"post={rates.post:g} (per feed view), like={rates.like:g}, "
        f"repost={rates.repost:g}, comment={rates.comment:g}, dislike={rates.dislike:g} (per "
        f"exposure to an entry, over its views), follow_suggestion={rates.follow_suggestion:g} "
        "(per suggestion seen)",
        "attention": f"SEISMIC kernel (Zhao et al., KDD 2015): flat for "
        f"{rates.attention_plateau_s:g} simulated seconds, then (age / "
        f"{rates.attention_plateau_s:g} s) ** -{1 + rates.attention_theta:g}; a view gets "
        "the kernel's share over the post's ages in the step, over the reader's chance to view "
        "in the step",
    }


def _group_usage(steps: Sequence[dict[str, Any]]) -> dict[str, LLMStats]:
    """Each LLM group's usage over the run, from the steps' figures."""
    usage: dict[str, LLMStats] = {}
    for figures in steps:
        for name, counted in figures.get("llm_groups", {}).items():
            usage[name] = usage.get(name, LLMStats()) + LLMStats(**counted)
    return usage
