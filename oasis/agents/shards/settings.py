"""Where agent shards run: in-process, a local Ray, or a Ray cluster."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from oasis.core.settings import Section


class RaySettings(Section):
    """Agent shards: ``mode`` none (in-process), local (a Ray started by the run) or cluster."""

    mode: Literal["none", "local", "cluster"] = "none"
    address: str | None = None
    shards: int = Field(default=1, ge=1)
    cpus_per_shard: float = Field(default=1.0, gt=0)
