"""Where a request's time goes, stage by stage (retrieval, waiting for the model,
choosing, rendering), for the serving stats: recent durations per stage name and their
percentiles. Thread-safe; a bounded window per name."""

from __future__ import annotations

import itertools
import math
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter
from typing import Any

WINDOW = 2048
STAGE_WINDOW = WINDOW
"""Samples kept per name (the serving stats keep as many per metric)."""


class StageTimes:
    """Recent durations (seconds) per stage name, and how many were recorded."""

    def __init__(self, window: int = WINDOW) -> None:
        self._window = window
        self._samples: dict[str, deque[float]] = {}
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def record(self, name: str, seconds: float) -> None:
        """Add one duration of stage ``name``."""
        with self._lock:
            samples = self._samples.get(name)
            if samples is None:
                samples = self._samples[name] = deque(maxlen=self._window)
            samples.append(seconds)
            self._counts[name] = self._counts.get(name, 0) + 1

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Record how long the ``with`` block took as stage ``name``."""
        start = perf_counter()
        try:
            yield
        finally:
            self.record(name, perf_counter() - start)

    def recent(self, name: str, last: int = 32) -> float:
        """The median of stage ``name``'s last ``last`` durations (0.0 before any)."""
        with self._lock:
            samples = self._samples.get(name)
            values = sorted(itertools.islice(reversed(samples), last)) if samples else []
        return percentile(values, 50)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Per stage: ``count`` and the window's ``p50_ms``, ``p95_ms``, ``p99_ms``,
        ``max_ms``."""
        with self._lock:
            items = {name: sorted(values) for name, values in self._samples.items()}
            counts = dict(self._counts)
        out = {}
        for name, values in sorted(items.items()):
            out[name] = {
                "count": counts[name],
                **{f"p{q}_ms": round(percentile(values, q) * 1000, 2) for q in (50, 95, 99)},
                "max_ms": round(values[-1] * 1000, 2),
            }
        return out


def percentile(sorted_values: list[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of sorted values, nearest-rank method (0.0 for
    none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]
