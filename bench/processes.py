"""Peak memory of a process and everything it started (Ray's raylet, GCS, workers, shards).

Read from /proc (Linux), sampled by a background thread: each process's own peak (``VmHWM``,
exact) and the peak of the tree's total, both as resident memory (RSS: pages shared between
processes, such as Ray's object store, count once per process) and as proportional set size
(PSS: shared pages split between the processes that map them, so the total counts them once).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


@dataclass
class ProcessPeak:
    """One process of the tree: what it runs and its peak resident memory (KiB)."""

    pid: int
    name: str
    peak_kib: int = 0


@dataclass
class TreePeaks:
    """The peaks seen so far of a process tree."""

    processes: dict[int, ProcessPeak] = field(default_factory=dict)
    total_rss_kib: int = 0
    total_pss_kib: int = 0
    samples: int = 0


def _children() -> dict[int, list[int]]:
    """Each process's children, from every /proc/<pid>/stat."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds the processes ``pids`` have used so far (gone ones: 0)."""
    total = 0.0
    for pid in pids:
        try:
            fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _status_kib(pid: int, *keys: str) -> dict[str, int]:
    values = {}
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in keys:
                values[key] = int(rest.split()[0])
    except (OSError, ValueError):
        pass
    return values


def _pss_kib(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _name(pid: int) -> str:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [w.decode(errors="replace") for w in raw if w]
    if not words:
        return "?"
    # Ray names its workers by what they run (ray::ShardActor...); else the program and its
    # first arguments, paths shortened to their file names.
    if words[0].startswith("ray::"):
        return words[0][:60]
    return " ".join(Path(w).name if "/" in w else w for w in words[:4])[:60]


class TreeSampler:
    """Samples a process tree's memory every ``interval_s`` seconds until stopped."""

    def __init__(self, root: int | None = None, interval_s: float = 0.5) -> None:
        self.root = os.getpid() if root is None else root
        self.interval_s = interval_s
        self.peaks = TreePeaks()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample()

    def sample(self) -> None:
        """Read every process of the tree once."""
        rss = pss = 0
        for pid in tree(self.root):
            memory = _status_kib(pid, "VmRSS", "VmHWM")
            if not memory:
                continue
            known = self.peaks.processes.setdefault(pid, ProcessPeak(pid, ""))
            known.name = _name(pid)  # a Ray worker names what it runs once it runs it
            known.peak_kib = max(known.peak_kib, memory.get("VmHWM", 0))
            rss += memory.get("VmRSS", 0)
            pss += _pss_kib(pid)
        self.peaks.total_rss_kib = max(self.peaks.total_rss_kib, rss)
        self.peaks.total_pss_kib = max(self.peaks.total_pss_kib, pss)
        self.peaks.samples += 1
