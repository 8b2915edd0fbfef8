"""A scripted OpenAI-compatible server for tests and benchmarks, reached over real HTTP.

It serves ``/v1/models``, ``/v1/chat/completions`` and ``/v1/embeddings`` like `vllm serve`,
answering each chat request with the :class:`~oasis.testing.replies.Reply` of a responder. Run it
in-process with ``with ScriptedLLMServer() as server: server.base_url`` (uvicorn in a background
thread on a free port of 127.0.0.1), or as a process for benchmarks::

    python -m oasis.testing.scripted_llm --port 8011 --latency-ms 200
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from types import TracebackType

import uvicorn

from oasis.testing.replies import Reply, Responder, always, default_reply, with_latency
from oasis.testing.scripted_app import ServerLog, make_app


class ScriptedLLMServer:
    """The scripted server on a free port of 127.0.0.1, in a background thread.

    The agent id of each request is read from its ``user`` field; ``log`` records what arrived.
    """

    def __init__(self, responder: Responder = default_reply, model: str = "scripted") -> None:
        self.model = model
        self.log = ServerLog()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            make_app(responder, model, self.log),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, ending in ``/v1``."""
        host, port = self._socket.getsockname()
        return f"http://{host}:{port}/v1"

    def start(self) -> ScriptedLLMServer:
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("scripted LLM server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving (requests still in flight are cut after a second) and free the port."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> ScriptedLLMServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """Serve the default responder as a process: ``--host``, ``--port``, ``--latency-ms``."""
    parser = argparse.ArgumentParser(description="Scripted OpenAI-compatible LLM server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--model", default="scripted")
    parser.add_argument(
        "--fixed", default=None, help="answer this text to every request (cheapest to serve)"
    )
    args = parser.parse_args(argv)
    inner = always(Reply(text=args.fixed)) if args.fixed is not None else default_reply
    app = make_app(with_latency(args.latency_ms / 1000.0, inner), args.model)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
