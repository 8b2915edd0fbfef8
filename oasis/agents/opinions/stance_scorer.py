"""Stance scorers: an interview answer in, a stance in [-1, 1] (or None: unscored) out.

:class:`LLMStanceScorer` asks an OpenAI-compatible endpoint, under a JSON schema, to rate each
answer on the question's scale (the OASIS paper rated answers with an LLM judge);
:class:`LexicalScorer` counts configured phrases, for offline runs and tests. Heuristic agents
need neither: they answer with their stance (:func:`stance_answer`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from oasis.agents.llm.answer_cache import AnswerCache, CachedChatClient
from oasis.agents.llm.chat import ChatRequest, LLMClient, LLMStats
from oasis.agents.llm.client import OpenAIChatClient
from oasis.agents.opinions.settings import ScorerSettings, StanceScale


class StanceScorer(Protocol):
    """Scores a batch of answers to one question; aligned by index, None where unscored."""

    async def ascore(self, question: str, answers: Sequence[tuple[int, str]]) -> list[float | None]:
        """Stances in [-1, 1] of ``answers`` (agent id, text) to ``question``."""
        ...

    def take_stats(self) -> LLMStats:
        """The LLM usage since the last call (none for a scorer without a model), then reset."""
        ...


@dataclass(frozen=True, slots=True)
class LexicalScorer:
    """(positive - negative) / (positive + negative) phrase counts; 0 when none match."""

    positive: tuple[str, ...]
    negative: tuple[str, ...]

    def score(self, text: str) -> float:
        """The stance of one text."""
        lowered = text.lower()
        up, down = _count(lowered, self.positive), _count(lowered, self.negative)
        return 0.0 if up + down == 0 else (up - down) / (up + down)

    async def ascore(self, question: str, answers: Sequence[tuple[int, str]]) -> list[float | None]:
        """Stances of ``answers``; the question does not matter to a lexicon."""
        return [self.score(text) for _, text in answers]

    def take_stats(self) -> LLMStats:
        """A lexicon asks no model: nothing to count."""
        return LLMStats()


def _count(text: str, phrases: tuple[str, ...]) -> int:
    return sum(len(re.findall(rf"\b{re.escape(p.lower())}\b", text)) for p in phrases)


class LLMStanceScorer:
    """An LLM judge: rates each answer on ``scale`` through a JSON-schema response format."""

    def __init__(self, client: LLMClient, scale: StanceScale, max_tokens: int = 64) -> None:
        self.client = client
        self.scale = scale
        self.max_tokens = max_tokens
        self.stats = LLMStats()

    def request(self, question: str, agent_id: int, answer: str) -> ChatRequest:
        """The judge's request for one answer."""
        s = self.scale
        prompt = (
            f"Question: {question}\nAnswer: {answer}\n\n"
            f"Rate the answer's stance on the question from {s.low:g} ({s.low_label}) to "
            f'{s.high:g} ({s.high_label}). Reply with JSON: {{"score": <number>}}.'
        )
        return ChatRequest(
            agent_id=agent_id,
            messages=[
                {"role": "system", "content": "You rate stances of answers. Reply with JSON."},
                {"role": "user", "content": prompt},
            ],
            response_format=self.response_format(),
            max_tokens=self.max_tokens,
            seed=0,
        )

    def response_format(self) -> dict[str, Any]:
        """The JSON schema the judge answers under (vLLM's guided decoding enforces it)."""
        score = {"type": "number", "minimum": self.scale.low, "maximum": self.scale.high}
        schema = {
            "type": "object",
            "properties": {"score": score},
            "required": ["score"],
            "additionalProperties": False,
        }
        return {"type": "json_schema", "json_schema": {"name": "stance", "schema": schema}}

    async def ascore(self, question: str, answers: Sequence[tuple[int, str]]) -> list[float | None]:
        """Stances of ``answers``; a failed request or unreadable rating gives None."""
        requests = [self.request(question, agent, text) for agent, text in answers]
        results = await self.client.complete(requests)
        scored = [self.parse(r.text) if r.error is None else None for r in results]
        stats = LLMStats.of(results)
        self.stats += replace(
            stats,
            invalid_outputs=sum(
                s is None and r.error is None for s, r in zip(scored, results, strict=True)
            ),
            answers=sum(r.error is None for r in results),
            judge_requests=stats.requests,
        )
        return scored

    def take_stats(self) -> LLMStats:
        """The judge's usage since the last call (``judge_requests`` = its requests), then reset."""
        stats, self.stats = self.stats, LLMStats()
        return stats

    def parse(self, text: str | None) -> float | None:
        """The stance in a judge's reply, None when it holds no number on the scale."""
        try:
            value = json.loads(text or "")["score"]
        except (ValueError, KeyError, TypeError):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if not self.scale.low <= value <= self.scale.high:
            return None
        return self.scale.to_stance(float(value))


def stance_answer(stance: float, scale: StanceScale) -> str:
    """A heuristic agent's interview answer: a short text and its stance on the scale."""
    rating = scale.from_stance(stance)
    if abs(stance) < 0.2:
        lean = f"I am undecided between {scale.low_label} and {scale.high_label}"
    else:
        label = scale.high_label if stance > 0 else scale.low_label
        lean = f"I lean {'strongly ' if abs(stance) > 0.6 else ''}toward {label}"
    return f"{lean}: {rating:.2f} on a scale from {scale.low:g} to {scale.high:g}."


def make_stance_scorer(
    settings: ScorerSettings,
    scale: StanceScale,
    endpoints: Sequence[str],
    model: str,
    *,
    api_key: str = "EMPTY",
    timeout_s: float = 60.0,
    max_retries: int = 3,
    cache: Path | None = None,
) -> StanceScorer:
    """The configured scorer; an LLM judge uses ``settings``' endpoints, else ``endpoints``.

    With ``cache`` (the agents' ``llm.cache``) the judge's answers go into the answer cache, so a
    rerun asks the judge nothing either.

    Raises:
        ValueError: an LLM judge is asked for with no endpoint at all.
    """
    if settings.kind == "lexical":
        return LexicalScorer(settings.positive, settings.negative)
    urls = settings.endpoints or tuple(endpoints)
    if not urls:
        raise ValueError("interview.scorer kind 'llm' needs endpoints (or the agents' LLM)")
    client = OpenAIChatClient(
        urls, settings.model or model, api_key=api_key, timeout_s=timeout_s,
        max_retries=max_retries, temperature=0.0,
    )  # fmt: skip
    if cache is None:
        return LLMStanceScorer(client, scale)
    return LLMStanceScorer(CachedChatClient(client, AnswerCache(cache)), scale)
