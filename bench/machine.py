"""A one-line description of the machine, printed by every benchmark."""

from __future__ import annotations

import os
import platform
import resource


def describe() -> str:
    """CPU model, cores, memory and Python version."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    python = platform.python_version()
    return f"{cpu}, {os.cpu_count()} cores, {pages / 2**30:.0f} GiB RAM, Python {python}"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
