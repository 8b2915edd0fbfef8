"""Fixtures: a recsys state with small embeddings, and a local OpenAI-style embeddings server."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

from oasis.recsys import HashingEmbedder, RecsysState

SERVER_DIM = 16


@pytest.fixture
def state() -> RecsysState:
    return RecsysState(HashingEmbedder(8), interest_rate=0.5)


class EmbeddingRequest(BaseModel):
    model: str
    input: str | list[str]
    encoding_format: str = "float"


@dataclass
class EmbeddingServer:
    """What the scripted server saw, and how it answers."""

    url: str
    batches: list[list[str]] = field(default_factory=list)
    reverse: bool = False


def _vector(text: str) -> np.ndarray:
    # Not unit length on purpose: the client must normalise.
    return 3.0 * HashingEmbedder(SERVER_DIM).encode([text])[0]


def _embedding_app(server: EmbeddingServer) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/embeddings")
    def embeddings(request: EmbeddingRequest) -> dict[str, object]:
        texts = [request.input] if isinstance(request.input, str) else request.input
        server.batches.append(texts)
        data = []
        for i, text in enumerate(texts):
            vec = _vector(text).astype("<f4")
            if request.encoding_format == "base64":
                payload: object = base64.b64encode(vec.tobytes()).decode()
            else:
                payload = vec.tolist()
            data.append({"object": "embedding", "index": i, "embedding": payload})
        if server.reverse:
            data.reverse()
        usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
        return {"object": "list", "data": data, "model": request.model, "usage": usage}

    return app


@pytest.fixture(scope="module")
def embedding_server() -> Iterator[EmbeddingServer]:
    record = EmbeddingServer(url="")
    config = uvicorn.Config(_embedding_app(record), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the embeddings server did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    record.url = f"http://127.0.0.1:{port}/v1"
    yield record
    server.should_exit = True
    thread.join(timeout=10)
