"""Issue #25.6: a large body is refused before it is read, by a real uvicorn process.

Each request goes over a raw socket: the headers first, then the answer is read before a byte of
the body is sent (a server that read the body first would never answer), then up to 200 MB of
body is pushed anyway. The server's resident memory must not grow by more than a few MB.
"""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from oasis.api.body_limit import MAX_BODY_BYTES
from tests.api.conftest import TOKEN, ApiProcess

BIG = 200 * 1024 * 1024
CHUNK = b"x" * (1024 * 1024)
FEW_MB = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def server(run_db: str) -> Iterator[ApiProcess]:
    api = ApiProcess(run_db, TOKEN, attached=True)
    yield api
    api.stop()


def rss(pid: int) -> int:
    """Resident memory of process ``pid`` in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def answer_line(sock: socket.socket) -> str:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, "the server closed without answering"
        data += chunk
    return data.split(b"\r\n")[0].decode()


def push(sock: socket.socket, total: int, chunked: bool) -> int:
    """Send up to ``total`` body bytes until the server stops taking them; bytes sent."""
    sent = 0
    try:
        while sent < total:
            _, writable, _ = select.select([], [sock], [], 5)
            if not writable:
                break  # the server reads no more
            frame = b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK) if chunked else CHUNK
            sock.sendall(frame)
            sent += len(CHUNK)
    except OSError:
        pass  # the server closed the connection: it will not read the rest
    return sent


def request(port: int, headers: dict[str, str]) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    lines = ["POST /control/posts HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    lines += [f"{key}: {value}" for key, value in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        ({}, "401"),
        ({"Authorization": "Bearer wrong"}, "401"),
        ({"Authorization": f"Bearer {TOKEN}"}, "413"),
    ],
)
def test_a_declared_200_mb_body_is_answered_before_it_is_sent(server, auth, expected):
    before = rss(server.process.pid)
    with request(server.port, {**auth, "Content-Length": str(BIG)}) as sock:
        assert expected in answer_line(sock)  # no body byte sent yet
        push(sock, BIG, chunked=False)
    assert rss(server.process.pid) - before < FEW_MB


def test_a_streamed_body_is_cut_at_the_limit(server):
    """Chunked, with the token: the body is read up to the limit, then refused with 413."""
    before = rss(server.process.pid)
    auth = {"Authorization": f"Bearer {TOKEN}", "Transfer-Encoding": "chunked"}
    with request(server.port, auth) as sock:
        push(sock, 4 * MAX_BODY_BYTES, chunked=True)
        assert "413" in answer_line(sock)
        push(sock, BIG, chunked=True)
    assert rss(server.process.pid) - before < FEW_MB


def test_an_unauthenticated_stream_is_refused_before_its_body(server):
    before = rss(server.process.pid)
    with request(server.port, {"Transfer-Encoding": "chunked"}) as sock:
        assert "401" in answer_line(sock)
        push(sock, BIG, chunked=True)
    assert rss(server.process.pid) - before < FEW_MB
