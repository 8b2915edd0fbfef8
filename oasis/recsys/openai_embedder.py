"""An encoder that calls an OpenAI-compatible ``/v1/embeddings`` endpoint (e.g. vLLM)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from oasis.recsys.embedding import Matrix, l2_normalise


class OpenAIEmbedder:
    """Encodes texts in batches through ``client.embeddings.create``.

    Rows come back re-aligned by each item's ``index``, so a server that answers out of order is
    still read right. ``dim`` is asked of the server once (one probe text) unless given.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "EMPTY",
        dim: int | None = None,
        batch_size: int = 256,
        timeout_s: float = 60.0,
    ) -> None:
        import openai  # the client builds an HTTP pool: only when an embedder is made

        self._client: Any = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s)
        self._model = model
        self._batch_size = batch_size
        self._dim = dim

    @property
    def dim(self) -> int:
        """Length of the served model's vectors."""
        if self._dim is None:
            self._dim = int(self._request(["dimension probe"]).shape[1])
        return self._dim

    def _request(self, batch: list[str]) -> Matrix:
        response = self._client.embeddings.create(model=self._model, input=batch)
        ordered = sorted(response.data, key=lambda item: item.index)
        return np.asarray([item.embedding for item in ordered], dtype=np.float32)

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Embeds ``texts`` as unit float32 rows, ``batch_size`` texts per request."""
        items = list(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        step = self._batch_size
        parts = [self._request(items[i : i + step]) for i in range(0, len(items), step)]
        return l2_normalise(np.concatenate(parts))

    def close(self) -> None:
        """Closes the HTTP connection pool."""
        self._client.close()
