"""The analyses' part of an experiment config: what the results report beyond every run's files."""

from __future__ import annotations

from pydantic import Field

from oasis.core.settings import Section


class AnalysisSettings(Section):
    """Thresholds of the results' analyses.

    Twitter-like runs describe every cascade whose user-level tree reached
    ``cascade_min_users`` users (the root's author included): a row of ``cascade_facts.csv``
    (scale, depth, max breadth, structural virality, minutes to 50% and 90% of the final size)
    and the tree itself in ``cascade_trees.parquet``.
    """

    cascade_min_users: int = Field(
        default=50,
        ge=2,
        description="the least users a cascade's tree must reach to be described in "
        "cascade_facts.csv and cascade_trees.parquet. No source: a size at which depth and "
        "structural virality can vary (a tree of 50 users can be a star, of virality 1.96, or a "
        "chain, of 17); lower it for small populations",
    )
