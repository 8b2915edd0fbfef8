"""Before step 0: does each LLM endpoint answer, serve the configured model, and call tools?

A run whose endpoints cannot be reached would otherwise go on with every LLM agent doing
nothing. This asks each endpoint's ``/models`` (as ``vllm serve`` and any OpenAI-compatible
server answer it) once, with a short timeout, and reports every problem in one line.

In tools mode (``llm.tools``) a server may ignore ``tools`` and ``tool_choice: "required"`` and
answer in free text: llama.cpp's server does for a chat template without tool support, and
every decision of the run would be invalid. :func:`check_tool_choice` sends each endpoint one
request that must be answered with a call of the one tool offered, and refuses the run if not;
it does not fall back to JSON-schema answers, as that would change the prompt (the system
message tells how to answer) and so the experiment behind the user's back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import aiohttp
import orjson

from oasis.agents.llm.action_schema import action_tools
from oasis.agents.llm.chat import ChatRequest, ChatResult
from oasis.agents.llm.client import OpenAIChatClient
from oasis.core.actions import ActionType
from oasis.errors import OasisError

ANY_MODEL = "default"  # the model name that accepts whatever an endpoint serves


class EndpointError(OasisError):
    """An LLM endpoint cannot be reached, or does not serve the configured model."""


async def endpoint_problems(
    endpoints: Sequence[str], model: str, api_key: str = "EMPTY", timeout_s: float = 10.0
) -> list[str]:
    """One line per endpoint that does not answer ``/models`` or does not list ``model``."""
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    headers = {"Authorization": f"Bearer {api_key}"}
    async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
        found = await asyncio.gather(*(_served(session, url) for url in endpoints))
    problems = []
    for url, served in zip(endpoints, found, strict=True):
        if isinstance(served, str):
            problems.append(f"{url} {served}")
        elif model != ANY_MODEL and model not in served:
            problems.append(f"{url} does not serve model {model!r} (it serves {sorted(served)})")
    return problems


def check_endpoints(
    endpoints: Sequence[str], model: str, api_key: str = "EMPTY", timeout_s: float = 10.0
) -> None:
    """Check every endpoint before a run starts.

    Raises:
        EndpointError: one line naming each endpoint at fault and why.
    """
    problems = asyncio.run(endpoint_problems(endpoints, model, api_key, timeout_s))
    if problems:
        raise EndpointError(f"llm.endpoints: {'; '.join(problems)}")


async def _served(session: aiohttp.ClientSession, url: str) -> list[str] | str:
    """The model ids ``url`` serves, or why it could not say."""
    try:
        async with session.get(url.rstrip("/") + "/models") as response:
            status, payload = response.status, await response.read()
    except TimeoutError:
        return "did not answer in time"
    except ValueError:  # aiohttp.InvalidURL is one
        return "is not a URL (expected http://HOST:PORT/v1)"
    except aiohttp.ClientConnectorError as exc:
        return f"cannot be reached ({exc.os_error.strerror or type(exc.os_error).__name__})"
    except aiohttp.ClientError as exc:
        return f"cannot be reached ({type(exc).__name__})"
    if status != 200:
        return f"answered HTTP {status} to /models (is it the server's /v1 URL?)"
    try:
        return [str(m["id"]) for m in orjson.loads(payload)["data"]]
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        return f"answered /models with something else than a model list ({type(exc).__name__})"


def check_tool_choice(
    endpoints: Sequence[str], model: str, api_key: str = "EMPTY", timeout_s: float = 60.0
) -> None:
    """One request per endpoint: it must answer with a call of the one tool it is offered.

    Raises:
        EndpointError: one line naming each endpoint that answered otherwise, and what to do.
    """
    client = OpenAIChatClient(
        endpoints, model, api_key=api_key, timeout_s=timeout_s, max_retries=0, temperature=0.0
    )
    probes = [
        ChatRequest(
            i,  # agent i goes to endpoint i
            [{"role": "user", "content": "Call the do_nothing function."}],
            tools=action_tools([ActionType.DO_NOTHING]),
            max_tokens=64,
            seed=0,
        )
        for i in range(len(endpoints))
    ]
    results = asyncio.run(client.complete(probes))
    problems = [
        f"{url} {problem}"
        for url, result in zip(endpoints, results, strict=True)
        if (problem := _tool_problem(result))
    ]
    if problems:
        raise EndpointError(
            f"llm.tools: {'; '.join(problems)}; set llm.tools to false (JSON-schema answers) "
            "or serve the model with tool calling (vLLM: --enable-auto-tool-choice and a tool "
            "parser; llama.cpp: --jinja and a chat template with tools)"
        )


def _tool_problem(result: ChatResult) -> str | None:
    """Why one probe's answer is not a call of do_nothing, or None."""
    if result.error is not None:
        return f'failed the tool_choice "required" probe ({result.error})'
    if [call.name for call in result.tool_calls][:1] != [ActionType.DO_NOTHING.value]:
        said = (result.text or "").strip().replace("\n", " ")[:60]
        return f'ignored tool_choice "required" (it answered {said!r} without a tool call)'
    return None
