"""The LLM part of an experiment: the endpoints LLM agents talk to, and their limits."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from oasis.core.settings import Section


class LLMSettings(Section):
    """The OpenAI-compatible endpoints (``vllm serve``) that LLM agents talk to.

    Before step 0 each endpoint must answer ``/models`` and list ``model`` (``default`` accepts
    whatever it serves), and with ``tools`` it must honour ``tool_choice: "required"`` (one probe
    request each). ``max_failure_rate`` bounds the share of a step's LLM requests that may fail,
    ``max_invalid_rate`` the share of its answers that may not parse: past either the run stops
    before the step is committed, and ``--resume`` continues it.

    The answer schema limits what a model can say: each id argument to the ids the agent was
    shown (``constrain_ids``, see :mod:`oasis.agents.llm.shown_ids`), each text to
    ``text_max_chars`` or ``name_max_chars`` characters.
    """

    endpoints: tuple[str, ...] = ()
    model: str = Field(
        default="default", description="the served model's name, checked at start on each endpoint"
    )
    check_model: bool = Field(default=True, description="check /models on each endpoint at start")
    api_key: str = "EMPTY"
    max_concurrency: int = Field(default=64, ge=1)
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    temperature: float = Field(default=0.7, ge=0)
    max_actions: int = Field(default=3, ge=1, le=20)
    max_tokens: int = Field(default=512, ge=16)
    text_max_chars: int = Field(
        default=280,
        ge=1,
        description="the most characters of a text an agent writes (post, comment, quote, "
        "report reason, group message), as the answer schema's maxLength: 280 is X's limit on a "
        "post (standard accounts, since November 2017). Without a bound a small model may write "
        "until max_tokens cuts the JSON",
    )
    name_max_chars: int = Field(
        default=50,
        ge=1,
        description="the most characters of a search query or a name (user, group, product) in "
        "the answer schema: 50 is X's limit on a display name; no source for queries",
    )
    constrain_ids: bool = Field(
        default=True,
        description="a schema per request whose id arguments are enums of the ids the agent was "
        "shown, so a model cannot invent one; false: one schema for every agent, any integer "
        "id. A server that compiles a grammar per distinct schema (vLLM) compiles one per "
        "request with true, once with false: README, 'The answer schema', gives the cost",
    )
    tools: bool = Field(
        default=False,
        description="ask for tool calls instead of a JSON-schema answer; each endpoint must "
        'honour tool_choice "required" (probed at start, else the run does not start)',
    )
    cache: Path | None = Field(
        default=None,
        description="a folder for the exact answer cache, shared by runs that name it; unset: off",
    )
    max_failure_rate: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="a step whose share of failed LLM requests is above this stops the run "
        "before it is committed (resumable); 1.0 never stops",
    )
    max_invalid_rate: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="a step whose share of the agents' LLM decisions that do not parse into "
        "actions is above this stops the run before it is committed (resumable); 1.0 never "
        "stops",
    )
