"""The text-embedding seam and the default, model-free encoder.

Every encoder returns float32 rows of unit length (zero rows for texts with no features), so an
inner product between two rows is their cosine similarity.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, overload, runtime_checkable

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


def _fresh_hashes(features: Sequence[str]) -> npt.NDArray[np.uint64]:
    """:func:`_feature_hash` of features that rarely repeat (bigrams), past its cache."""
    digests = b"".join([hashlib.blake2b(f.encode(), digest_size=8).digest() for f in features])
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


def _word_features(word: str) -> list[str]:
    """A word and its character trigrams (of the word marked ``<word>``)."""
    marked = f"<{word}>"
    return [word, *(marked[i : i + 3] for i in range(len(word)))]


_ENCODE_CHUNK = 8192


@dataclass(frozen=True)
class JoinedTexts(Sequence[str]):
    """Texts ``f"{head} {tail}".strip()`` whose tails repeat: profiles copying a few bios.

    ``tails[tail_of[i]]`` is the tail of text ``i``. The texts are made one at a time when
    read; :class:`HashingEmbedder` encodes each distinct tail about once instead.
    """

    heads: Sequence[str]
    tails: Sequence[str]
    tail_of: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.heads)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> JoinedTexts: ...

    def __getitem__(self, i: int | slice) -> str | JoinedTexts:
        if isinstance(i, slice):
            return JoinedTexts(self.heads[i], self.tails, self.tail_of[i])
        return f"{self.heads[i]} {self.tails[self.tail_of[i]]}".strip()

    def take(self, rows: npt.NDArray[np.int64]) -> JoinedTexts:
        """The texts at ``rows``, in that order (sharing the tails)."""
        heads = self.heads
        return JoinedTexts([heads[i] for i in rows.tolist()], self.tails, self.tail_of[rows])

    def __iter__(self) -> Iterator[str]:
        tails = self.tails
        for head, tail in zip(self.heads, self.tail_of.tolist(), strict=True):
            yield f"{head} {tails[tail]}".strip()


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
        """Embeds ``texts`` as unit float32 rows (zero rows for texts without a word).

        Each distinct text is encoded once: a step's heuristic posts repeat a few hundred
        topics' texts (about ten posts a text at 100,000 users).
        """
        if isinstance(texts, JoinedTexts):
            return self._encode_joined(texts)
        distinct = {text: row for row, text in enumerate(dict.fromkeys(texts))}
        if len(distinct) < len(texts):
            rows = np.fromiter((distinct[text] for text in texts), np.int64, len(texts))
            vectors: Matrix = self._encode_distinct(list(distinct))[rows]
            return vectors
        return self._encode_distinct(texts)

    def _encode_distinct(self, texts: Sequence[str]) -> Matrix:
        """Embeds ``texts`` one by one, in chunks."""
        if len(texts) <= _ENCODE_CHUNK:
            return l2_normalise(self._counts(texts)[0])  # whole counts: exact
        # In chunks: the feature strings of a million profiles would take gigabytes at once.
        parts = [
            l2_normalise(self._counts(texts[i : i + _ENCODE_CHUNK])[0])
            for i in range(0, len(texts), _ENCODE_CHUNK)
        ]
        return np.concatenate(parts)

    def _encode_joined(self, texts: JoinedTexts) -> Matrix:
        """Joined texts in chunks of texts sharing tails, each tail counted about once.

        Taken in tail order, a chunk holds few distinct tails and a tail falls in one chunk
        (or two); in the given order each chunk would count most of the tails again (a million
        profiles copying 10,000 bio and persona pairs: 80% of the encoding).
        """
        order = np.argsort(texts.tail_of, kind="stable")
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        for start in range(0, len(texts), _ENCODE_CHUNK):
            rows = order[start : start + _ENCODE_CHUNK]
            out[rows] = l2_normalise(self._joined_counts(texts.take(rows)))
        return out

    def _joined_counts(self, texts: JoinedTexts) -> npt.NDArray[np.float64]:
        """Feature counts of joined texts: the head's, the tail's and the bigram across them.

        A text's words are its head's then its tail's (the space between splits no word), so
        its counts are exactly the sum of theirs plus the bigram (head's last, tail's first).
        """
        used, tail_row = np.unique(texts.tail_of, return_inverse=True)
        tails, tail_words = self._counts([texts.tails[t] for t in used.tolist()])
        counts, head_words = self._counts(texts.heads)
        counts += tails[tail_row]
        firsts = [words[0] if words else "" for words in tail_words]
        lasts = [words[-1] if words else "" for words in head_words]
        has_first = np.array([bool(first) for first in firsts], dtype=bool)
        has_last = np.array([bool(last) for last in lasts], dtype=bool)
        joined = np.flatnonzero(has_last & has_first[tail_row])
        names = [
            f"{lasts[i]} {firsts[t]}"
            for i, t in zip(joined.tolist(), tail_row[joined].tolist(), strict=True)
        ]
        rows, buckets, signs = self._halves(joined, _fresh_hashes(names))
        counts += np.bincount(
            rows * self._dim + buckets, weights=signs, minlength=counts.size
        ).reshape(counts.shape)
        return counts

    def _counts(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.float64], list[list[str]]]:
        """Signed feature counts of each text (a row of whole numbers), and the texts' words."""
        # A text's features are its words (each with its character trigrams) and its word
        # bigrams. Each distinct word of the chunk is hashed once and its signed buckets copied
        # to every place it occurs: profile texts repeat most of their words (a million
        # synthetic users copy their bios from a few hundred seed users).
        vocabulary: dict[str, int] = {}
        words = [_TOKEN.findall(t.lower()) for t in texts]
        occurrences = np.fromiter(
            (vocabulary.setdefault(w, len(vocabulary)) for ws in words for w in ws), np.int64
        )
        text_of = np.repeat(np.arange(len(texts)), [len(ws) for ws in words])
        word_of, word_buckets, word_signs = self._signed_buckets(
            [_word_features(w) for w in vocabulary]
        )
        per_word = np.bincount(word_of, minlength=len(vocabulary))
        first = np.cumsum(per_word) - per_word  # word_of is grouped by word, in order
        run = per_word[occurrences]
        take = np.repeat(first[occurrences] - (np.cumsum(run) - run), run) + np.arange(run.sum())
        pair_of, pair_buckets, pair_signs = self._pair_buckets(
            list(vocabulary), occurrences, text_of
        )
        rows = np.concatenate([np.repeat(text_of, run), pair_of])
        buckets = np.concatenate([word_buckets[take], pair_buckets])
        signs = np.concatenate([word_signs[take], pair_signs])
        size = len(texts) * self._dim
        counts = np.bincount(rows * self._dim + buckets, weights=signs, minlength=size)
        return counts.reshape(len(texts), self._dim).astype(np.float64, copy=False), words

    def _pair_buckets(
        self,
        vocabulary: list[str],
        occurrences: npt.NDArray[np.int64],
        text_of: npt.NDArray[np.int64],
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """(text, bucket, sign) of every word bigram's two hash halves, grouped by text.

        Each distinct bigram of the chunk is hashed once (a chunk's texts share most of theirs).
        """
        same = text_of[1:] == text_of[:-1]  # consecutive words of one text
        size = np.int64(len(vocabulary))
        keys = occurrences[:-1][same] * size + occurrences[1:][same]
        distinct, which = np.unique(keys, return_inverse=True)
        names = [
            f"{vocabulary[a]} {vocabulary[b]}"
            for a, b in zip((distinct // size).tolist(), (distinct % size).tolist(), strict=True)
        ]
        _, buckets, signs = self._halves(np.arange(len(names)), _fresh_hashes(names))
        take = (2 * which.reshape(-1, 1) + np.arange(2)).ravel()  # each bigram's two halves
        return np.repeat(text_of[1:][same], 2), buckets[take], signs[take]

    def _signed_buckets(
        self, features: Sequence[Sequence[str]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """(list index, bucket, sign) of every feature's two hash halves, grouped by list."""
        hashes = np.array([_feature_hash(f) for fs in features for f in fs], dtype=np.uint64)
        return self._halves(np.repeat(np.arange(len(features)), [len(f) for f in features]), hashes)

    def _halves(
        self, rows: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """(row, bucket, sign) of both halves of each feature hash (``rows[j]``'s feature)."""
        halves = np.stack([hashes & np.uint64(0xFFFFFFFF), hashes >> np.uint64(32)], axis=1)
        halves = halves.ravel()
        buckets = ((halves & np.uint64(0x7FFFFFFF)) % np.uint64(self._dim)).astype(np.int64)
        signs = 1.0 - 2.0 * (halves >> np.uint64(31)).astype(np.float64)
        return np.repeat(rows, 2), buckets, signs
