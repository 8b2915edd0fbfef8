"""Issue #25.2: ``oasis run --serve`` ended in any way leaves no API server behind.

The run is a real ``oasis`` process with its API child (a real uvicorn process); each test ends
the run with a signal and then checks, by PID, that the child is gone and the port free.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from oasis.platform import Platform

EXPERIMENT = """name: lifeline
steps: 100000
output: out
population: {n_users: 30}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while listed
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        time.sleep(0.1)


@dataclass
class ServedRun:
    run: subprocess.Popen[bytes]
    api_pid: int
    port: int
    folder: Path

    def status(self) -> str:
        platform = Platform.open(f"sqlite:///{self.folder / 'out' / 'oasis.db'}", read_only=True)
        try:
            info = platform.run_info()
            assert info is not None
            return str(info.status)
        finally:
            platform.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServedRun]:
    """``oasis run --serve`` stepping, its API answering."""
    (tmp_path / "exp.yaml").write_text(EXPERIMENT)
    port = free_port()
    command = [sys.executable, "-m", "oasis", "run", "exp.yaml", "--serve", "--port", str(port)]
    log = (tmp_path / "stderr.txt").open("wb")
    run = subprocess.Popen(command, cwd=tmp_path, stderr=log)
    url = f"http://127.0.0.1:{port}/run"

    def stepping() -> bool:
        assert run.poll() is None, (tmp_path / "stderr.txt").read_text()
        try:
            return httpx.get(url, timeout=2).json().get("current_step", -1) >= 1
        except httpx.HTTPError:
            return False

    wait_for(stepping, "the run to step with its API answering", timeout=300)
    (api_pid,) = children(run.pid)
    served = ServedRun(run, api_pid, port, tmp_path)
    try:
        yield served
    finally:
        for pid in (run.pid, api_pid):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        run.wait()


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_sigint_stops_the_run_and_its_api(served: ServedRun, signum: int):
    os.kill(served.run.pid, signum)
    served.run.wait(120)
    wait_for(lambda: not alive(served.api_pid), f"API process {served.api_pid} to end")
    assert port_free(served.port)
    assert served.status() == "stopped"  # not "running": --resume goes on from here


@pytest.mark.slow
def test_a_killed_run_leaves_no_api_behind(served: ServedRun):
    """SIGKILL runs no clean-up in the run: the API child ends on its parent's death."""
    os.kill(served.run.pid, signal.SIGKILL)
    served.run.wait(30)
    wait_for(lambda: not alive(served.api_pid), f"API process {served.api_pid} to end")
    assert port_free(served.port)
