"""The stdio reader: one thread reads the pipe, pygls' framing reads from its buffer."""

from __future__ import annotations

import asyncio
import os
import threading
import time

from lsp.transport import ThreadedStdinReader


def _message(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def _read_messages(reader: ThreadedStdinReader) -> list[bytes]:
    """Frame messages as pygls' read loop does (header lines, blank line, body)."""
    out = []
    while True:
        length = 0
        while True:
            line = await reader.readline()
            if not line:
                return out
            if line.startswith(b"Content-Length: "):
                length = int(line.split(b":")[1])
            elif not line.strip():
                break
        out.append(await reader.readexactly(length))


def test_messages_written_in_pieces_and_together_are_framed_whole() -> None:
    read_fd, write_fd = os.pipe()
    bodies = [b'{"id": %d, "method": "x", "text": "%s"}' % (i, b"\xc3\xa9" * i) for i in range(40)]
    data = b"".join(_message(body) for body in bodies)

    def write() -> None:
        with os.fdopen(write_fd, "wb", buffering=0) as pipe:
            pipe.write(data[:7])  # a header cut in two
            time.sleep(0.01)
            for start in range(7, len(data), 333):  # then chunks across messages
                pipe.write(data[start : start + 333])

    writer = threading.Thread(target=write)
    writer.start()
    with os.fdopen(read_fd, "rb") as stream:
        got = asyncio.run(_read_messages(ThreadedStdinReader(stream)))
    writer.join(10)
    assert got == bodies


def test_end_of_input_ends_both_reads() -> None:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"Content-Length: 10\r\n\r\nabc")  # the body is cut short
    os.close(write_fd)

    async def read() -> tuple[bytes, bytes, bytes, bytes]:
        reader = ThreadedStdinReader(stream)
        first, blank = await reader.readline(), await reader.readline()
        return first, blank, await reader.readexactly(10), await reader.readline()

    with os.fdopen(read_fd, "rb") as stream:
        first, blank, body, after = asyncio.run(read())
    assert first == b"Content-Length: 10\r\n" and blank == b"\r\n"
    assert body == b"abc" and after == b""
