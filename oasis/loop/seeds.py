"""One experiment over several seeds: a config per seed, each in a folder of its own."""

from __future__ import annotations

from collections.abc import Sequence

from oasis.config import ExperimentConfig
from oasis.errors import RunError


def parse_seeds(text: str) -> tuple[int, ...]:
    """Seeds written as ``1-5``, ``1,3,7`` or a mix (``1-3,9``), in order, without repeats."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            span = range(int(low), int(high or low) + 1)
            seeds += [s for s in span if s not in seeds]
    except ValueError as exc:
        raise RunError(f"seeds {text!r}: expected a list such as 1-5 or 1,3,7") from exc
    if not seeds:
        raise RunError(f"seeds {text!r}: no seed given")
    return tuple(seeds)


def seed_configs(config: ExperimentConfig, seeds: Sequence[int]) -> list[ExperimentConfig]:
    """The config of each seed's run (output ``<output>/seed_<n>``); the config itself if none.

    Each seed's run has its own SQLite file in its folder, so several seeds need ``database``
    left unset.
    """
    if len(seeds) == 0:
        return [config]
    if config.database is not None:
        raise RunError("several seeds need a database each: leave 'database' unset (SQLite)")
    return [
        config.model_copy(update={"seed": s, "seeds": (), "output": config.output / f"seed_{s}"})
        for s in seeds
    ]
