"""A minimal JSON-RPC client over a language server subprocess' stdio.

Tests that must send exact (often malformed) bytes use it instead of a client library.
Every message the server sends is kept in :attr:`RawClient.seen`; server-to-client
requests are answered by :attr:`RawClient.handlers` (method -> reply, or ``None`` for no
reply at all), by default with ``"result": null``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from queue import Empty, Queue
from typing import Any

Reply = dict[str, Any]
"""What to answer a server request with: ``{"result": ...}`` or ``{"error": {...}}``."""


class RawClient:
    """A minimal JSON-RPC client over a server subprocess' stdio."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.proc = subprocess.Popen(
            command or [sys.executable, "-m", "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.inbox: Queue[dict[str, Any]] = Queue()
        self.seen: list[dict[str, Any]] = []
        self.handlers: dict[str, Callable[[Any], Reply | None]] = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if line == b"":
                return
            self.inbox.put(json.loads(stream.read(length)))

    def send_raw(self, body: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(json.dumps({"jsonrpc": "2.0", **message}).encode())

    def next_message(self, timeout: float = 15.0) -> dict[str, Any]:
        """Return the next message from the server (answering server requests)."""
        try:
            message = self.inbox.get(timeout=timeout)
        except Empty:
            raise AssertionError("the server sent nothing") from None
        self.seen.append(message)
        if isinstance(message, dict) and "method" in message and "id" in message:
            handler = self.handlers.get(message["method"], lambda params: {"result": None})
            answer = handler(message.get("params"))
            if answer is not None:  # None: leave the request unanswered
                self.send({"id": message["id"], **answer})
        return message

    def reply(self, msg_id: Any, timeout: float = 15.0) -> dict[str, Any]:
        """Wait for the response to ``msg_id`` (answering server requests meanwhile)."""
        while True:
            try:
                message = self.next_message(timeout)
            except AssertionError:
                raise AssertionError(f"no reply to request {msg_id!r}") from None
            if isinstance(message, dict) and "method" not in message:
                if message.get("id") == msg_id:
                    return message

    def request(self, msg_id: Any, method: str, params: Any) -> dict[str, Any]:
        self.send({"id": msg_id, "method": method, "params": params})
        return self.reply(msg_id)

    def notifications(self, method: str) -> list[dict[str, Any]]:
        """The notifications ``method`` received so far (read up to the last reply)."""
        return [
            m
            for m in self.seen
            if isinstance(m, dict) and m.get("method") == method and "id" not in m
        ]

    def initialize(self, root: Path | None, options: dict[str, Any] | None = None, **extra):
        """Initialize a session on ``root`` (``rootUri`` only; ``extra`` adds fields)."""
        params = {
            "processId": None,
            "rootUri": root.as_uri() if root is not None else None,
            "capabilities": {},
            "initializationOptions": {"indexOnStartup": False, **(options or {})},
            **extra,
        }
        reply = self.request(0, "initialize", params)
        assert "result" in reply, reply
        self.send({"method": "initialized", "params": {}})
        return reply

    def close(self) -> None:
        if self.proc.poll() is not None:  # the test already ended the session
            return
        try:
            self.request("bye", "shutdown", None)
            self.send({"method": "exit"})
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
