"""Before step 0: does each LLM endpoint answer, and does it serve the configured model?

A run whose endpoints cannot be reached would otherwise go on with every LLM agent doing
nothing. This asks each endpoint's ``/models`` (as ``vllm serve`` and any OpenAI-compatible
server answer it) once, with a short timeout, and reports every problem in one line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import aiohttp
import orjson

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
