"""Latency percentiles per request type and per model call.

Each metric keeps its last :data:`WINDOW` samples in a ring buffer (bounded memory for a
server that runs for days) plus a lifetime count. Thread-safe: handlers on the event
loop and model work in worker threads record into the same object. Knows nothing of LSP.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WINDOW = 2048


def percentile(sorted_values: list[float], q: float) -> float:
    """Return the ``q``-th percentile (0..100) of sorted values, nearest-rank method."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


class LatencyStats:
    """Collects durations by metric name and summarises them as percentiles."""

    def __init__(self, window: int = WINDOW) -> None:
        self._window = window
        self._samples: dict[str, deque[float]] = {}
        self._counts: dict[str, int] = {}
        self._errors: dict[str, int] = {}
        self._lock = threading.Lock()
        self._started = time.time()

    def record(self, name: str, seconds: float, *, error: bool = False) -> None:
        """Add one duration (in seconds) to metric ``name``."""
        with self._lock:
            samples = self._samples.get(name)
            if samples is None:
                samples = self._samples[name] = deque(maxlen=self._window)
            samples.append(seconds)
            self._counts[name] = self._counts.get(name, 0) + 1
            if error:
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
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
