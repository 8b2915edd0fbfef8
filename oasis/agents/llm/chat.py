"""The one LLM seam: a batch of chat requests in, a batch of results out, errors as data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One chat completion for one agent.

    ``seed`` is per request, derived from (run seed, step, agent id), so a real vLLM gives the
    same answer to the same request whatever else is in the batch.
    """

    agent_id: int
    messages: Sequence[Mapping[str, Any]]
    response_format: Mapping[str, Any] | None = None
    tools: Sequence[Mapping[str, Any]] | None = None
    max_tokens: int = 512
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One tool call in a model's answer: the function name and its raw JSON arguments."""

    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class ChatResult:
    """The outcome of one request: ``text`` and ``tool_calls``, or ``error`` when it failed.

    ``attempts`` counts HTTP attempts including retries; tokens are those the server reported,
    ``prefix_cached_tokens`` the prompt tokens it took from its own prefix cache
    (``usage.prompt_tokens_details.cached_tokens``; 0 where it does not say).
    ``cached`` marks an answer taken from the answer cache: no request was sent for it, and its
    tokens are those the server reported when it first answered.
    """

    agent_id: int
    text: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 1
    cached: bool = False
    prefix_cached_tokens: int = 0


@dataclass(frozen=True, slots=True)
class LLMStats:
    """Usage counts over a set of requests; add them up across calls with ``+``.

    ``requests`` were sent to a model and ``prompt_tokens`` and ``completion_tokens`` are the
    server's ``usage`` of those; ``cache_hits`` were answered from the answer cache instead (their
    tokens, as first reported, are ``cached_tokens``); ``failures`` are requests that ended in an
    error after all retries; ``retries`` are the attempts beyond the first; ``invalid_outputs``
    are ``answers`` that did not parse, where ``answers`` are the received answers that must
    parse (decisions into actions, stance ratings into a number; sent or cached, not failed),
    both filled in by the policy or judge that parses; ``judge_requests`` are the stance
    judge's requests, counted in ``requests`` too; ``prefix_cached_tokens`` are the prompt
    tokens the server took from its own prefix cache (as it reports them).
    """

    requests: int = 0
    failures: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    invalid_outputs: int = 0
    cache_hits: int = 0
    cached_tokens: int = 0
    answers: int = 0
    judge_requests: int = 0
    prefix_cached_tokens: int = 0

    def __add__(self, other: LLMStats) -> LLMStats:
        return LLMStats(
            *(getattr(self, f) + getattr(other, f) for f in LLMStats.__dataclass_fields__)
        )

    @staticmethod
    def total(steps: Iterable[Mapping[str, Any]]) -> LLMStats:
        """The sum over per-step metrics records that hold these fields (missing ones count 0)."""
        fields = LLMStats.__dataclass_fields__
        return sum((LLMStats(**{k: int(m.get(k) or 0) for k in fields}) for m in steps), LLMStats())

    @staticmethod
    def of(results: Sequence[ChatResult]) -> LLMStats:
        """The stats of a batch of results."""
        sent = [r for r in results if not r.cached]
        return LLMStats(
            requests=len(sent),
            failures=sum(r.error is not None for r in sent),
            retries=sum(max(r.attempts - 1, 0) for r in sent),
            prompt_tokens=sum(r.prompt_tokens for r in sent),
            completion_tokens=sum(r.completion_tokens for r in sent),
            cache_hits=len(results) - len(sent),
            cached_tokens=sum(r.prompt_tokens + r.completion_tokens for r in results if r.cached),
            prefix_cached_tokens=sum(r.prefix_cached_tokens for r in sent),
        )


class LLMClient(Protocol):
    """Anything that completes a batch of chat requests; results are aligned by index.

    ``in_flight`` is how many requests are being answered right now; progress displays read it
    from another thread while a batch runs.
    """

    @property
    def in_flight(self) -> int:
        """Requests being answered right now."""
        ...

    async def complete(self, requests: Sequence[ChatRequest]) -> list[ChatResult]:
        """Complete every request; a failed one gives a result with ``error`` set, never raises."""
        ...


class LLMClientContractError(AssertionError):
    """Raised by :func:`check_llm_client` when a client breaks the batch contract."""


def check_results(requests: Sequence[ChatRequest], results: Sequence[ChatResult]) -> None:
    """Check the client contract on one batch: aligned, complete, text or error, sane counts."""
    if len(results) != len(requests):
        raise LLMClientContractError(f"{len(results)} results for {len(requests)} requests")
    for i, (req, res) in enumerate(zip(requests, results, strict=True)):
        problem = _problem(req, res)
        if problem:
            raise LLMClientContractError(f"result {i} (agent {req.agent_id}): {problem}")


async def check_llm_client(client: LLMClient, requests: Sequence[ChatRequest]) -> list[ChatResult]:
    """Run one batch through ``client``, check the contract and return the results."""
    results = await client.complete(requests)
    check_results(requests, results)
    return results


def _problem(req: ChatRequest, res: ChatResult) -> str | None:
    if not isinstance(res, ChatResult):
        return f"not a ChatResult: {type(res).__name__}"
    if res.agent_id != req.agent_id:
        return f"agent id {res.agent_id} out of order"
    if (res.error is None) == (res.text is None and not res.tool_calls):
        return "needs exactly one of an answer or an error"
    if min(res.prompt_tokens, res.completion_tokens) < 0 or res.attempts < 1:
        return "negative token count or no attempt"
    return None
