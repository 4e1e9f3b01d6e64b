"""Latency percentiles per request type and per model call.

Each metric keeps its last :data:`WINDOW` samples in a ring buffer (bounded memory for a
server that runs for days) plus a lifetime count. Thread-safe: handlers on the event
loop and model work in worker threads record into the same object. Knows nothing of LSP.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.pipeline import STAGE_WINDOW as WINDOW
from assistant.pipeline import StageTimes, percentile, replace_file


class LatencyStats(StageTimes):
    """Collects durations by metric name and summarises them as percentiles (the core's
    stage recorder, plus an error count per metric and the uptime)."""

    def __init__(self, window: int = WINDOW) -> None:
        super().__init__(window)
        self._errors: dict[str, int] = {}
        self._started = time.time()

    def record(self, name: str, seconds: float, *, error: bool = False) -> None:
        """Add one duration (in seconds) to metric ``name``."""
        super().record(name, seconds)
        if error:
            with self._lock:
                self._errors[name] = self._errors.get(name, 0) + 1

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Time the ``with`` block into metric ``name`` (an exception counts as error)."""
        start = time.perf_counter()
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            self.record(name, time.perf_counter() - start, error=failed)

    def snapshot(self) -> dict[str, Any]:
        """Return ``{"uptime_s", "metrics": {name: {count, errors, p50_ms, ...}}}``."""
        with self._lock:
            items = {name: sorted(values) for name, values in self._samples.items()}
            counts = dict(self._counts)
            errors = dict(self._errors)
        metrics = {}
        for name, values in sorted(items.items()):
            metrics[name] = {
                "count": counts.get(name, 0),
                "errors": errors.get(name, 0),
                "window": len(values),
                "p50_ms": round(percentile(values, 50) * 1000, 3),
                "p95_ms": round(percentile(values, 95) * 1000, 3),
                "p99_ms": round(percentile(values, 99) * 1000, 3),
                "max_ms": round((values[-1] if values else 0.0) * 1000, 3),
            }
        return {"uptime_s": round(time.time() - self._started, 1), "metrics": metrics}

    def write(self, path: Path, extra: dict[str, Any] | None = None) -> None:
        """Write :meth:`snapshot` (plus ``extra``) as JSON to ``path``, atomically."""
        data = self.snapshot()
        if extra:
            data.update(extra)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, indent=2, sort_keys=True)
        replace_file(path, text.encode("utf-8"), 0o600)
