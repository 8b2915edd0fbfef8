"""The scripted OpenAI-compatible server as its own process, as vLLM would be, for benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def scripted_server(
    latency_ms: float = 0.0, fixed: str | None = None, lean: bool = False
) -> Iterator[str]:
    """Serve on a free port of 127.0.0.1 until the block ends; yields the base URL (``/v1``).

    ``fixed`` is an answer given to every request instead of the default replies; with ``lean``
    it is served by :mod:`oasis.testing.fixed_llm` (no latency, a fraction of the CPU).
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "oasis.testing.scripted_llm", "--port", str(port),
               "--latency-ms", str(latency_ms), *(("--fixed", fixed) if fixed else ())]  # fmt: skip
    if lean and fixed is not None:
        command = [sys.executable, "-m", "oasis.testing.fixed_llm", "--port", str(port),
                   "--fixed", fixed]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)})
    try:
        base = f"http://127.0.0.1:{port}/v1"
        for _ in range(300):
            try:
                httpx.get(f"{base}/models", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("scripted server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(10)
