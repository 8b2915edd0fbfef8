"""SIGTERM and Ctrl-C end a command as an interrupt, so its clean-up runs."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_STOP_ASKED = threading.Event()


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the command as Ctrl-C does, so its clean-up runs.

    Python's default for SIGTERM ends the process at once, which left ``oasis run --serve``'s
    API process serving a dead run; as an interrupt the API is stopped and the run marked
    ``stopped`` (``--resume`` goes on from its last committed step). An interrupt that lands
    in a garbage-collection callback is dropped by Python ("Exception ignored"), so the signal
    is also remembered and raised again after the step being run (``_run_to_end``).
    """

    def interrupt(signum: int, frame: FrameType | None) -> None:
        _STOP_ASKED.set()
        raise KeyboardInterrupt

    _STOP_ASKED.clear()
    previous = {s: signal.signal(s, interrupt) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def stop_asked() -> bool:
    """Whether SIGTERM or Ctrl-C came since :func:`terminate_as_interrupt` began."""
    return _STOP_ASKED.is_set()
