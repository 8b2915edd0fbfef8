import numpy as np
import pytest

from oasis.recsys import EmbedderSettings, OpenAIEmbedder, make_embedder
from tests.recsys.conftest import SERVER_DIM, EmbeddingServer, _vector


@pytest.fixture
def server(embedding_server: EmbeddingServer) -> EmbeddingServer:
    embedding_server.batches.clear()
    embedding_server.reverse = False
    return embedding_server


def test_encodes_over_http_in_batches_and_normalises(server: EmbeddingServer) -> None:
    embedder = OpenAIEmbedder(server.url, "scripted", dim=SERVER_DIM, batch_size=2)
    texts = ["cats and dogs", "stock markets", "cats again", "rain"]
    vectors = embedder.encode(texts)
    embedder.close()
    assert [len(b) for b in server.batches] == [2, 2]
    assert vectors.dtype == np.float32 and vectors.shape == (4, SERVER_DIM)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    expected = np.stack([_vector(t) for t in texts])
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(vectors, expected, rtol=1e-5, atol=1e-6)


def test_rows_follow_the_answer_index_not_its_order(server: EmbeddingServer) -> None:
    embedder = make_embedder(
        EmbedderSettings(kind="openai", base_url=server.url, model="scripted", batch_size=8)
    )
    server.reverse = True
    texts = ["alpha beta", "gamma delta", "epsilon"]
    vectors = embedder.encode(texts)
    expected = np.stack([_vector(t) / np.linalg.norm(_vector(t)) for t in texts])
    np.testing.assert_allclose(vectors, expected, rtol=1e-5, atol=1e-6)


def test_dimension_is_asked_of_the_server_once(server: EmbeddingServer) -> None:
    embedder = OpenAIEmbedder(server.url, "scripted")
    assert embedder.dim == SERVER_DIM
    assert embedder.dim == SERVER_DIM
    assert len(server.batches) == 1
    assert embedder.encode([]).shape == (0, SERVER_DIM)


def test_openai_settings_need_an_endpoint() -> None:
    with pytest.raises(ValueError, match="base_url"):
        EmbedderSettings(kind="openai")
