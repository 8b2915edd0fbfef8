"""The local model as a session fixture: one ``llama-server`` for every real-model test."""

from __future__ import annotations

import os
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from oasis.testing.local_llm import ALIAS, LocalModelServer, default_cache, missing


def cache_folder() -> Path:
    return Path(os.environ.get("OASIS_LLM_CACHE") or default_cache())


@pytest.fixture(scope="session")
def local_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalModelServer]:
    """``llama-server`` with SmolLM2-135M on a free port (one thread), stopped after the session.

    Skipped, with the reason, where ``scripts/local_llm.sh`` has not built it.
    """
    reason = missing(cache_folder())
    if reason is not None:
        pytest.skip(reason)
    log = tmp_path_factory.mktemp("llama") / "llama-server.log"
    with LocalModelServer(cache_folder(), log, threads=1) as server:
        yield server


def llm_settings(server: LocalModelServer, **overrides: object) -> dict[str, object]:
    """LLM settings for a run against the local server: one request at a time (the server has
    one slot and one thread, so a queued request would otherwise time out in the client)."""
    return {
        "endpoints": [server.base_url], "model": ALIAS, "max_concurrency": 1,
        "timeout_s": 300, "max_retries": 1, **overrides,
    }  # fmt: skip


def tokens_generated(server: LocalModelServer) -> int:
    """The tokens the server has generated so far (``llamacpp:tokens_predicted_total``)."""
    url = server.base_url.removesuffix("/v1") + "/metrics"
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    match = re.search(r"^llamacpp:tokens_predicted_total\s+(\S+)$", text, re.MULTILINE)
    assert match is not None, "llamacpp:tokens_predicted_total not in /metrics"
    return int(float(match.group(1)))
