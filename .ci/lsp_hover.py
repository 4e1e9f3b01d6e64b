"""One LSP hover against `docgen serve` over stdio, with the standard library only (the
fresh venv of the wheel smoke test has nothing else): initialize, open a file, hover the
name of an undocumented function, print the hover text, shut down. Exit 1 without a hover.

Usage: python lsp_hover.py DOCGEN_EXECUTABLE REPO_ROOT FILE NEEDLE
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path


def send(proc: subprocess.Popen, message: dict) -> None:
    body = json.dumps(message).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def reader(proc: subprocess.Popen, replies: dict, done: threading.Event) -> None:
    stream = proc.stdout
    while True:
        headers = {}
        while True:
            line = stream.readline()
            if not line:
                done.set()
                return
            if line in (b"\r\n", b"\n"):
                break
            key, _, value = line.decode().partition(":")
            headers[key.strip().lower()] = value.strip()
        message = json.loads(stream.read(int(headers["content-length"])))
        if "id" in message and "method" not in message:
            replies[message["id"]] = message
        elif "id" in message:  # a request from the server (progress, configuration...)
            send(proc, {"jsonrpc": "2.0", "id": message["id"], "result": None})


def request(proc, replies, ident: int, method: str, params: dict, timeout: float) -> dict:
    send(proc, {"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
    deadline = time.monotonic() + timeout
    while ident not in replies:
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit(f"no reply to {method} within {timeout:.0f} s")
        time.sleep(0.05)
    return replies.pop(ident)


def main() -> None:
    docgen, root, file, needle = sys.argv[1], Path(sys.argv[2]).resolve(), sys.argv[3], sys.argv[4]
    path = root / file
    text = path.read_text()
    line = next(n for n, row in enumerate(text.splitlines()) if needle in row)
    character = text.splitlines()[line].index(needle) + len("def ")
    proc = subprocess.Popen([docgen, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    replies: dict = {}
    done = threading.Event()
    threading.Thread(target=reader, args=(proc, replies, done), daemon=True).start()
    try:
        started = time.perf_counter()
        request(
            proc,
            replies,
            1,
            "initialize",
            {"processId": None, "rootUri": root.as_uri(), "capabilities": {}},
            120,
        )
        send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        uri = path.as_uri()
        item = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        send(
            proc,
            {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}},
        )
        position = {"line": line, "character": character}
        params = {"textDocument": {"uri": uri}, "position": position}
        reply = request(proc, replies, 2, "textDocument/hover", params, 180)
        result = reply.get("result") or {}
        contents = result.get("contents") or {}
        value = contents.get("value", "") if isinstance(contents, dict) else str(contents)
        print(f"hover after {time.perf_counter() - started:.1f} s: {value[:200]!r}")
        if not value.strip():
            raise SystemExit(f"empty hover: {reply}")
        request(proc, replies, 3, "shutdown", None, 30)
        send(proc, {"jsonrpc": "2.0", "method": "exit"})
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()


if __name__ == "__main__":
    main()
