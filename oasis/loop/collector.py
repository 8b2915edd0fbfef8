"""Python's cyclic garbage collector around steps: paused during a step, run once after it.

A step builds observations, prompts and requests for every active agent and keeps them to its
end. With the collector running, each young collection promoted those objects, and once enough
had piled up a full collection walked every object of the process: at 10,000 LLM agents that
took 1.4-3.3 s of each step (bench.step's set-up, the project's 2-core machine under load), and
more the larger the run. Paused, the step's objects still die by reference count as usual, and
one collection after the step (the ``collect`` phase) takes the few cycles it left, in 10-40 ms.

What the set-up built (imports, the roster, the recommenders' state) lives as long as the run:
:func:`freeze` moves it out of the collector's sight (:func:`gc.freeze`), so each collection
walks only what the steps added; :func:`release` gives it back when the simulation closes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block (an explicit :func:`collect` still runs)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def collect() -> None:
    """Collect the cycles the step left."""
    gc.collect()


def freeze() -> None:
    """Collect, then keep every object alive now out of later collections."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """Give the frozen objects back to the collector."""
    gc.unfreeze()
