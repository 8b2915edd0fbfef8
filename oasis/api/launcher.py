"""Starting an experiment built on the set-up page as a run in a process of its own.

Only where the operator allowed it (``oasis serve --allow-launch``) and only with the operator's
token: the experiment's file is written into a folder of its own under the launch folder, and
``oasis run experiment.yaml --serve`` is started there, its API on a free port with the same
token (passed in its environment, never on its command line). The run goes on if this API
stops; its output goes where the experiment says, relative to its folder. Each folder keeps
``launched.json`` (the process id and the dashboard's address), so the launched runs can be
listed and stopped later, by this API or the next one started on the same launch folder.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oasis.api.dashboard.setup import FILE_NAME
from oasis.config import environment_with, experiment_yaml, validate_experiment

RECORD = "launched.json"


@dataclass(frozen=True, slots=True)
class Launched:
    """A run started from the set-up page: its process, folder and dashboard's address."""

    pid: int
    folder: Path
    url: str

    @property
    def running(self) -> bool:
        """Whether its process is still running (it stops at its run's end, or when stopped)."""
        try:
            if os.waitpid(self.pid, os.WNOHANG) != (0, 0):
                return False  # this API started it, and it has ended (now reaped)
        except ChildProcessError:
            pass  # started by an earlier API: not ours to reap
        cwd = Path(f"/proc/{self.pid}/cwd")
        try:
            if Path("/proc/self").exists():  # a reused process id runs elsewhere
                return cwd.resolve(strict=True) == self.folder.resolve()
            os.kill(self.pid, 0)
        except (OSError, RuntimeError):
            return False
        return True

    def stop(self) -> None:
        """Stop it as Ctrl-C would: its run is marked stopped; ``--resume`` there goes on."""
        os.kill(self.pid, signal.SIGTERM)


def launch(raw: Mapping[str, Any], token: str, launch_dir: Path, host: str) -> Launched:
    """Write the experiment's file and start ``oasis run`` on it with its API on a free port.

    Raises:
        ConfigError: the experiment is invalid (the command line's message).
    """
    config = validate_experiment(raw, FILE_NAME)
    folder = launch_dir / f"{config.name}-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 1000}"
    folder.mkdir(parents=True)
    (folder / FILE_NAME).write_text(experiment_yaml(raw))
    port = _free_port(host)
    command = [sys.executable, "-m", "oasis", "run", FILE_NAME, "--serve"]
    command += ["--host", host, "--port", str(port)]
    with (folder / "run.log").open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=folder,
            env=environment_with({"OASIS_API_TOKEN": token}),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the run outlives this API
        )
    started = Launched(process.pid, folder, f"http://{host}:{port}/")
    (folder / RECORD).write_text(json.dumps({"pid": started.pid, "url": started.url}) + "\n")
    return started


def launched_runs(launch_dir: Path) -> list[Launched]:
    """The runs launched into ``launch_dir``, oldest first (by their folders' names)."""
    runs = []
    for record in sorted(launch_dir.glob(f"*/{RECORD}")):
        try:
            fields = json.loads(record.read_text())
            runs.append(Launched(int(fields["pid"]), record.parent, str(fields["url"])))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not written by launch(): not listed
    return runs


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
