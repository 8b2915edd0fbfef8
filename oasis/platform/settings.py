"""The platform's part of an experiment config."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from oasis.core.renamed import refuse_renamed
from oasis.core.settings import Section


class PlatformSettings(Section):
    """Rules of the simulated platform.

    Attributes:
        kind: ``twitter`` (follow graph, reposts) or ``reddit`` (votes, hot ranking).
        allow_self_rating: whether users may like or dislike their own posts and comments.
        report_threshold: reports after which a post carries a visible warning.
        search_limit: most rows a search returns.
        trend_window_hours: how far back, in simulated hours, ``trend`` looks for posts.
        trend_limit: most posts ``trend`` returns.
        max_content_chars: longest post, comment or message text kept.
    """

    kind: Literal["twitter", "reddit"] = "twitter"
    allow_self_rating: bool = True
    report_threshold: int = Field(default=2, ge=1)
    search_limit: int = Field(default=10, ge=1, le=200)
    trend_window_hours: float = Field(default=24.0, gt=0)

    trend_limit: int = Field(default=5, ge=1, le=200)
    max_content_chars: int = Field(default=2000, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        return refuse_renamed(
            data, {"trend_window_steps": "trend_window_hours (simulated hours, not steps)"}
        )
