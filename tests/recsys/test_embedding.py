import hashlib
import itertools
import re
import subprocess
import sys

import numpy as np
import pytest

from oasis.recsys import HashingEmbedder, RecsysError, l2_normalise
from oasis.recsys.embedding import JoinedTexts
from oasis.recsys.vectors import VectorTable

TEXTS = ["Cats are wonderful pets", "I adore my cat", "Interest rates rise again", ""]


def test_hashing_rows_are_unit_or_zero() -> None:
    vectors = HashingEmbedder(32).encode(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (4, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, rtol=1e-5)
    assert not vectors[3].any()


def test_hashing_puts_shared_words_closer() -> None:
    cats, cat, rates, _ = HashingEmbedder(64).encode(TEXTS)
    assert cats @ cat > cats @ rates + 0.1


def test_hashing_is_the_same_in_another_process() -> None:
    code = (
        "from oasis.recsys import HashingEmbedder;"
        f"print(HashingEmbedder(16).encode({TEXTS!r}).tobytes().hex())"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    here = HashingEmbedder(16).encode(TEXTS).tobytes().hex()
    assert runs[0].stdout.strip() == runs[1].stdout.strip() == here


def _reference(text: str, dim: int) -> np.ndarray:
    """The hashing embedding by its definition: every feature of the text, hashed one by one."""
    words = re.findall(r"\w+", text.lower())
    grams = [f"<{w}>"[i : i + 3] for w in words for i in range(len(w))]
    features = words + [f"{a} {b}" for a, b in itertools.pairwise(words)] + grams
    row = np.zeros(dim)
    for feature in features:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        for half in (value & 0xFFFFFFFF, value >> 32):
            row[(half & 0x7FFFFFFF) % dim] += -1.0 if half >> 31 else 1.0
    norm = np.linalg.norm(row)
    return row / norm if norm else row


def test_hashing_matches_its_definition_feature_by_feature() -> None:
    texts = [*TEXTS, "the cat and the cat", "Ünïcode wörds ß straße", "  a  ", "x_y 42 x_y"]
    texts += [f"user {i} likes cats and {i % 3} dogs" for i in range(200)]
    got = HashingEmbedder(32).encode(texts)
    want = np.array([_reference(t, 32) for t in texts])
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_l2_normalise_keeps_zero_rows() -> None:
    out = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


class CountingEmbedder:
    def __init__(self) -> None:
        self.inner = HashingEmbedder(8)
        self.seen: list[str] = []

    @property
    def dim(self) -> int:
        return 8

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen += list(texts)
        return self.inner.encode(texts)


def test_cache_encodes_new_or_changed_texts_only() -> None:
    table, embedder = VectorTable(8), CountingEmbedder()
    assert table.ensure(np.array([5, 9]), ["a cat", "a dog"], embedder) == 2
    assert table.ensure(np.array([5, 9, 2]), ["a cat", "a dog", "a fox"], embedder) == 1
    assert table.ensure(np.array([9]), ["a wolf"], embedder) == 1
    assert embedder.seen == ["a cat", "a dog", "a fox", "a wolf"]
    np.testing.assert_allclose(
        table.vectors(np.array([9]))[0], embedder.inner.encode(["a wolf"])[0]
    )
    assert len(table) == 3


def test_cache_refuses_unknown_ids_unless_asked() -> None:
    table = VectorTable(4)
    table.put(np.array([3]), np.ones((1, 4), dtype=np.float32))
    with pytest.raises(RecsysError, match="no vector"):
        table.vectors(np.array([3, 1000]))
    assert not table.vectors(np.array([1000]), missing_ok=True).any()
    np.testing.assert_array_equal(table.lookup(np.array([3, 2, 10**6])), [0, -1, -1])


def test_a_table_forgets_all_but_the_ids_retained_and_grows_again() -> None:
    table, embedder = VectorTable(8), HashingEmbedder(8)
    texts = ["a cat", "a dog", "a fox", "a wolf"]
    table.ensure(np.array([5, 9, 2, 7]), texts, embedder)
    table.retain(np.array([9, 7, 40]))  # 40 has no vector: skipped
    assert len(table) == 2
    np.testing.assert_array_equal(table.lookup(np.array([5, 9, 2, 7])) >= 0, [0, 1, 0, 1])
    np.testing.assert_array_equal(
        table.vectors(np.array([7, 9])), embedder.encode(["a wolf", "a dog"])
    )
    assert table.ensure(np.array([5, 9]), ["a cat", "a dog"], embedder) == 1  # 9 still held
    np.testing.assert_array_equal(table.digests(np.array([5])), table.to_arrays()["digests"][2:])


def test_an_empty_table_gives_zero_rows_when_asked() -> None:
    assert VectorTable(4).vectors(np.array([0, 7]), missing_ok=True).shape == (2, 4)


def test_joined_texts_embed_exactly_as_the_whole_texts():
    heads = ["User 7", "", "Σίσυφος", "!!", "x_y 42", *(f"User {i}" for i in range(9000))]
    tails = ["Lecturer at UCL Lecturer at UCL", "", "  ΣΑΣ  ", "a-b. c", "ß straße"]
    tail_of = np.arange(len(heads), dtype=np.int64) * 7 % len(tails)
    texts = JoinedTexts(heads, tails, tail_of)
    whole = [f"{h} {tails[t]}".strip() for h, t in zip(heads, tail_of.tolist(), strict=True)]
    assert list(texts) == whole and texts[3] == whole[3] and list(texts[2:4]) == whole[2:4]
    embedder = HashingEmbedder(32)  # more texts than one chunk of the encoder
    assert embedder.encode(texts).tobytes() == embedder.encode(whole).tobytes()


def test_repeated_texts_embed_exactly_as_each_text_alone():
    # A step's heuristic posts repeat their topics' texts: each is encoded once and copied.
    texts = [TEXTS[i % 3] for i in range(9000)] + TEXTS  # more than one chunk, with repeats
    embedder = HashingEmbedder(32)
    alone = np.concatenate([embedder.encode([text]) for text in TEXTS[:3]] * 3000)
    together = embedder.encode(texts)
    assert together[:9000].tobytes() == alone.tobytes()
    assert (
        together[9000:].tobytes() == np.concatenate([embedder.encode([t]) for t in TEXTS]).tobytes()
    )
