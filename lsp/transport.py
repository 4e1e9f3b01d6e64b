"""The stdio transport's reading side: one thread reads, the event loop parses.

pygls reads stdin with three executor round trips per message (the ``Content-Length``
line, the blank line, the body), each a hand-off from the event loop to a worker thread
and back. Under load every hand-off waits for the interpreter lock behind the server's
busy threads, and messages are read one after another, so a hover waited in the reader
far longer than in its handler (measured: client-side p50 122 ms at 16 clients against
11 ms in the server, ``benchmarks/lsp_load.py``). :class:`ThreadedStdinReader` keeps one
thread blocked on the pipe that hands each chunk it reads (often several messages) to the
loop in one call, and answers pygls' ``readline``/``readexactly`` from that buffer, so a
message costs at most one hand-off. pygls still frames and parses the messages
(:func:`pygls.io_.run_async`); only where the bytes come from changes.
"""

from __future__ import annotations

import asyncio
import threading
from typing import BinaryIO

CHUNK = 1 << 16
"""Most bytes one read takes from the pipe."""


class ThreadedStdinReader:
    """pygls' ``AsyncReader`` over a binary stream read by a thread of its own.

    Create it inside the running loop (it remembers the loop and starts its thread on
    first use); end of input (or a read error) ends both reads with what is left.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._buffer = bytearray()
        self._eof = False
        self._ready: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _start(self) -> asyncio.Event:
        if self._ready is None:
            self._loop = asyncio.get_running_loop()
            self._ready = asyncio.Event()
            self._thread = threading.Thread(target=self._pump, name="docgen-stdin", daemon=True)
            self._thread.start()
        return self._ready

    def _pump(self) -> None:
        """Read chunks until end of input and hand each to the loop."""
        read = getattr(self._stream, "read1", self._stream.read)
        assert self._loop is not None
        while True:
            try:
                data = read(CHUNK)
            except (OSError, ValueError):  # closed under us: end of input
                data = b""
            try:
                self._loop.call_soon_threadsafe(self._feed, data)
            except RuntimeError:  # the loop is closed: nobody reads any more
                return
            if not data:
                return

    def _feed(self, data: bytes) -> None:
        if data:
            self._buffer += data
        else:
            self._eof = True
        assert self._ready is not None
        self._ready.set()

    async def _wait(self) -> None:
        ready = self._start()
        ready.clear()
        await ready.wait()

    async def readline(self) -> bytes:
        """The next line, ``\\n`` included (what is left, possibly ``b""``, at the end)."""
        self._start()
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[: end + 1])
                del self._buffer[: end + 1]
                return line
            if self._eof:
                rest = bytes(self._buffer)
                self._buffer.clear()
                return rest
            await self._wait()

    async def readexactly(self, n: int) -> bytes:
        """The next ``n`` bytes (fewer, possibly none, at the end of input)."""
        self._start()
        while len(self._buffer) < n and not self._eof:
            await self._wait()
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data


def run_stdio(server, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """Serve ``server`` (a pygls ``LanguageServer``) on stdio until the client leaves, as
    pygls' ``start_io`` does, reading with :class:`ThreadedStdinReader`."""
    import logging
    import sys

    from pygls.io_ import StdoutWriter, run_async

    log = logging.getLogger("lsp.server")
    server._stop_event = threading.Event()  # what pygls' shutdown sets to end the loop
    reader = ThreadedStdinReader(stdin or sys.stdin.buffer)
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    try:
        asyncio.run(
            run_async(
                stop_event=server._stop_event,
                reader=reader,
                protocol=server.protocol,
                logger=log,
                error_handler=server.report_server_error,
            )
        )
    except BrokenPipeError:
        log.error("Connection to the client is lost! Shutting down the server.")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
