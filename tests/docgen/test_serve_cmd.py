"""``docgen serve``: TCP transport and option validation."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

DOCGEN = str(Path(sys.executable).parent / "docgen")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def frame(message: dict) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream) -> dict:
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


def test_serve_over_tcp(sample_repo: Path):
    port = free_port()
    proc = subprocess.Popen([DOCGEN, "serve", "--tcp", f"127.0.0.1:{port}"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never listened"
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.1)
        with sock, sock.makefile("rb") as stream:
            params = {"processId": None, "rootUri": sample_repo.as_uri(), "capabilities": {}}
            sock.sendall(frame({"id": 1, "method": "initialize", "params": params}))
            reply = read_message(stream)
            assert reply["id"] == 1 and reply["result"]["serverInfo"]["name"] == "docgen"
            sock.sendall(frame({"id": 2, "method": "shutdown"}))
            assert read_message(stream)["id"] == 2
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_serve_rejects_a_bad_tcp_address():
    result = subprocess.run(
        [DOCGEN, "serve", "--tcp", "localhost"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "HOST:PORT" in result.stderr
