"""An API process started beside a run ends with the run, however the run ends.

``oasis run --serve`` starts ``oasis serve`` as a child. If the run was killed (SIGKILL, an
out-of-memory kill, a crash) before it could stop the child, the child went on serving a dead
run and holding its port and token. :func:`stop_with_parent` makes the child take SIGTERM (on
which uvicorn finishes open requests and exits) when its parent ends: at once on Linux, through
``prctl(PR_SET_PDEATHSIG)``; elsewhere by looking at its parent every :data:`POLL_SECONDS`.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
POLL_SECONDS = 1.0


def stop_with_parent(parent_pid: int) -> None:
    """Take SIGTERM when process ``parent_pid`` (this process's parent) ends."""
    if not (sys.platform == "linux" and _death_signal(signal.SIGTERM)):
        threading.Thread(
            target=_watch, args=(parent_pid,), name="oasis-lifeline", daemon=True
        ).start()
    if os.getppid() != parent_pid:  # it ended before the signal was asked for
        os.kill(os.getpid(), signal.SIGTERM)


def _death_signal(signum: int) -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return int(libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)) == 0


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        threading.Event().wait(POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
