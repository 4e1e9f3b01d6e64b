"""Work nobody waits on now (the file-wide action's planning and checking, retrieval
ahead of hovers) runs on threads the OS schedules after the editor's requests."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from assistant.pipeline import BULK_NICE
from lsp.state import DocgenServer


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_bulk_and_prefetch_threads_run_at_a_lower_os_priority() -> None:
    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    base = priority()
    server = DocgenServer()
    try:
        assert server.bulk_pool.submit(priority).result(10) == min(19, base + BULK_NICE)
        assert server.prefetch_pool.submit(priority).result(10) == min(19, base + BULK_NICE)
        assert server.model_pool.submit(priority).result(10) == base  # interactive work
    finally:
        server.shutdown_state()
