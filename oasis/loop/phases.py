"""Wall seconds per phase of a step, so a run shows where its time went without a profiler.

A step times its phases with one :class:`PhaseClock`: ``with phase("feeds"): ...``. The seconds
go into the step's figures (``step_metrics``) under ``phases``, in the order the phases ran:

- ``events``: the scheduled posts, herd threads, control commands and people's turns due;
- ``activation``: the draw of who is active;
- ``feeds``: candidate posts, the recommender's ranking, one entry per original;
- ``who_to_follow``: the follow suggestions and what the observed agents are shown of them;
- ``observations``: the LLM and custom agents' contexts, the heuristic agents' columns;
- ``interviews``: interviews asked at the step (their LLM calls included);
- ``decisions``: the policies' decisions (shards, LLM calls);
- ``bookkeeping``: the step's action list, stance changes and figures;
- ``apply``: the platform applying the actions (inside the step's transaction);
- ``memories``: the LLM agents' new memories, built and saved (inside the transaction);
- ``commit``: the feed log, stances, commands and figures written, and the commit itself;
- ``advance``: after the commit, the loop's own state moving on (memories, roster, the
  recommenders' state);
- ``collect``: the cyclic garbage collector, paused during the step, run once
  (:mod:`oasis.loop.collector`).

A step's figures are written inside its own transaction, so its ``commit``, ``advance`` and
``collect`` are not over yet when they are written: they are stored with the *next* step's
figures, under ``previous_step_phases``. :func:`oasis.analysis.step_time.phase_seconds` puts
them back with the step they belong to; the last step of a run (or of a process, before a
resume) has none.
Phases never nest: each second of a step is counted at most once; what falls between phases
(opening a read transaction) is not counted.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

# What a step writes its figures before: stored with the next step (see the module docstring).
LATE = ("commit", "advance", "collect")


class PhaseClock:
    """Adds up the wall seconds of one step's named phases, in the order they first ran."""

    def __init__(self) -> None:
        self._seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as (more of) phase ``name``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            self._seconds[name] = self._seconds.get(name, 0.0) + spent

    def seconds(self) -> dict[str, float]:
        """Each phase timed so far, in seconds rounded to 0.1 ms."""
        return {name: round(spent, 4) for name, spent in self._seconds.items()}
