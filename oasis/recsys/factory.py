"""Building a recommender and an embedder from their settings."""

from __future__ import annotations

from collections.abc import Callable

from oasis.recsys.embedding import Embedder, HashingEmbedder
from oasis.recsys.hot import HotRecommender
from oasis.recsys.interest import InterestRecommender
from oasis.recsys.openai_embedder import OpenAIEmbedder
from oasis.recsys.post_lists import PostLists
from oasis.recsys.random_rec import RandomRecommender
from oasis.recsys.recommender import Recommender
from oasis.recsys.sentence_embedder import SentenceTransformerEmbedder
from oasis.recsys.settings import EmbedderSettings, RecsysSettings
from oasis.recsys.state import RecsysState
from oasis.recsys.tables import RecsysError
from oasis.recsys.twitter import TwitterRecommender

_KINDS: dict[str, Callable[[RecsysSettings, RecsysState], Recommender]] = {
    "random": RandomRecommender,
    "reddit": HotRecommender,
    "interest": InterestRecommender,
    "twitter": TwitterRecommender,
}


def make_recommender(
    settings: RecsysSettings, embedder: Embedder, state: RecsysState | None = None
) -> Recommender:
    """The recommender ``settings.kind`` over ``state`` (fresh stores when None).

    Fresh stores keep IVF lists between steps where the kind retrieves by interest.
    """
    if state is None:
        lists = PostLists(settings) if retrieves(settings) else None
        state = RecsysState(embedder, settings.interest_rate, lists=lists)
    return _KINDS[settings.kind](settings, state)


def retrieves(settings: RecsysSettings) -> bool:
    """Whether the kind ranks by interest retrieval (faiss) over the candidates."""
    return settings.kind == "interest" or (settings.kind == "twitter" and settings.out_of_network)


def make_embedder(settings: EmbedderSettings) -> Embedder:
    """The text encoder ``settings.kind``; no model is loaded until the first ``encode``."""
    if settings.kind == "hashing":
        return HashingEmbedder(settings.dim or 64)
    if settings.kind == "sentence_transformer":
        return SentenceTransformerEmbedder(settings.model, settings.batch_size)
    if settings.base_url is None or settings.model is None:
        raise RecsysError("the openai embedder needs base_url and model")
    return OpenAIEmbedder(
        settings.base_url,
        settings.model,
        settings.api_key,
        settings.dim,
        settings.batch_size,
        settings.timeout_s,
    )
