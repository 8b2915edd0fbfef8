"""The text-embedding seam and the default, model-free encoder.

Every encoder returns float32 rows of unit length (zero rows for texts with no features), so an
inner product between two rows is their cosine similarity.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]

_TOKEN = re.compile(r"\w+")


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def dim(self) -> int:
        """Length of every vector this encoder returns."""
        ...

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Returns an ``(len(texts), dim)`` float32 matrix of unit (or zero) rows."""
        ...


def l2_normalise(x: npt.ArrayLike) -> Matrix:
    """Scales each row to unit length; all-zero rows stay zero."""
    m = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    out: Matrix = np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)
    return out


def text_digest(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    """A 64-bit content digest per text, stable across processes (unlike ``hash``)."""
    return np.array([_digest(t.encode()) for t in texts], dtype=np.int64)


def _digest(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little", signed=True)


@lru_cache(maxsize=1 << 18)
def _feature_hash(feature: str) -> int:
    return _digest(feature.encode()) & 0xFFFFFFFFFFFFFFFF


def _features(text: str) -> list[str]:
    words = _TOKEN.findall(text.lower())
    grams = [f"<{w}>"[i : i + 3] for w in words for i in range(len(w))]
    bigrams = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return words + bigrams + grams


_ENCODE_CHUNK = 8192


class HashingEmbedder:
    """Signed feature hashing of words, word bigrams and character trigrams.

    Each feature's blake2b hash picks two (bucket, sign) pairs in ``[0, dim)``, so texts that
    share words or word pieces get a positive cosine similarity. Deterministic everywhere, needs
    no model download, and costs microseconds per text.
    """

    def __init__(self, dim: int = 64) -> None:
        if dim <= 0:
            raise ValueError("dim must be positive")
        self._dim = dim

    @property
    def dim(self) -> int:
        """Length of every vector."""
        return self._dim

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Embeds ``texts`` as unit float32 rows (zero rows for texts without a word)."""
        if len(texts) <= _ENCODE_CHUNK:
            return self._encode(texts)
        # In chunks: the feature strings of a million profiles would take gigabytes at once.
        parts = [
            self._encode(texts[i : i + _ENCODE_CHUNK]) for i in range(0, len(texts), _ENCODE_CHUNK)
        ]
        return np.concatenate(parts)

    def _encode(self, texts: Sequence[str]) -> Matrix:
        feats = [_features(t) for t in texts]
        rows = np.repeat(np.arange(len(texts)), [len(f) for f in feats])
        hashes = np.array([_feature_hash(f) for fs in feats for f in fs], dtype=np.uint64)
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for half in (hashes & np.uint64(0xFFFFFFFF), hashes >> np.uint64(32)):
            bucket = (half & np.uint64(0x7FFFFFFF)) % np.uint64(self._dim)
            sign = 1.0 - 2.0 * (half >> np.uint64(31)).astype(np.float32)
            np.add.at(out, (rows, bucket.astype(np.int64)), sign)
        return l2_normalise(out)
