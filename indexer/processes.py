"""Worker processes that are safe to start from a process with threads.

``fork`` (Linux's default start method before Python 3.14) copies the parent's memory with
whatever locks its other threads held at that instant, and the child waits on them
forever: a language or MCP server has event-loop, request and ONNX Runtime threads, and a
test run has the threads earlier tests left (a dataset build hung that way in a worker
stuck on a lock, at 0 % CPU). ``forkserver`` forks workers from a clean server process
started once; ``spawn`` (the default on macOS and Windows) starts each from scratch.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext


def worker_context() -> BaseContext:
    """The start method for worker pools: ``forkserver`` where the platform has it, else
    ``spawn``; never ``fork``."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
