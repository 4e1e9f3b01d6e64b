"""A dynamic batcher (runtime side): many callers, one batched generation at a time.

Callers (LSP requests, bulk workers) :meth:`DynamicBatcher.submit` single prompts and get
a :class:`~concurrent.futures.Future`. One worker thread groups queued requests that
share a :class:`~assistant.engine.types.GenerationConfig` into a batch of at most
``max_batch_size``, waiting at most ``max_wait_ms`` after the oldest request for the batch
to fill, runs one ``generate`` call and hands each caller its own result. Interactive
requests go before bulk ones; queued requests can be cancelled with ``future.cancel()``.
"""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import IntEnum

from assistant.engine.types import GenerationConfig, Hypothesis, TextGenerator


class Priority(IntEnum):
    """Lower runs first."""

    INTERACTIVE = 0
    BULK = 1


class BatcherClosedError(RuntimeError):
    """``submit`` was called after ``close``."""


@dataclass(order=True)
class _Request:
    priority: int
    seq: int
    prompt: str = field(compare=False)
    config: GenerationConfig = field(compare=False)
    future: Future = field(compare=False)
    arrived: float = field(compare=False)


class DynamicBatcher:
    """Group concurrent single-prompt requests into batched generations.

    Args:
        generator: Any :class:`~assistant.engine.types.TextGenerator` (thread-safe use is
            not required: only the batcher's worker thread calls it).
        max_batch_size: Most prompts per ``generate`` call.
        max_wait_ms: How long the oldest queued request may wait for others to join its
            batch before the batch runs anyway.
    """

    def __init__(
        self, generator: TextGenerator, max_batch_size: int = 16, max_wait_ms: float = 5.0
    ) -> None:
        if max_batch_size < 1:
            raise ValueError(f"max_batch_size must be >= 1, got {max_batch_size}")
        self.generator = generator
        self.max_batch_size = max_batch_size
        self.max_wait = max(0.0, max_wait_ms) / 1000.0
        self._pending: list[_Request] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._closed = False
        self.batches_run = 0
        self._worker = threading.Thread(target=self._run, name="docgen-batcher", daemon=True)
        self._worker.start()

    def submit(
        self,
        prompt: str,
        config: GenerationConfig | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> Future[list[Hypothesis]]:
        """Queue one prompt; the future resolves to its hypotheses (best first).

        Raises:
            BatcherClosedError: The batcher was closed.
        """
        future: Future[list[Hypothesis]] = Future()
        request = _Request(
            int(priority), next(self._seq), prompt, config or GenerationConfig(), future,
            time.monotonic(),
        )  # fmt: skip
        with self._cond:
            if self._closed:
                raise BatcherClosedError("the batcher is closed; create a new one")
            self._pending.append(request)
            self._cond.notify()
        return future

    def close(self, cancel_pending: bool = True, timeout: float | None = None) -> None:
        """Stop the worker: queued requests are cancelled (or run first, if
        ``cancel_pending`` is False); the batch in progress finishes."""
        with self._cond:
            self._closed = True
            if cancel_pending:
                for request in self._pending:
                    request.future.cancel()
                self._pending.clear()
            self._cond.notify_all()
        self._worker.join(timeout)

    def __enter__(self) -> DynamicBatcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            self._execute(batch)

    def _next_batch(self) -> list[_Request] | None:
        """Block until a batch is ready (full, or its oldest request waited enough)."""
        with self._cond:
            while True:
                self._pending = [r for r in self._pending if not r.future.cancelled()]
                if not self._pending:
                    if self._closed:
                        return None
                    self._cond.wait()
                    continue
                head = min(self._pending)
                same = [r for r in self._pending if r.config == head.config]
                oldest = min(r.arrived for r in same)
                remaining = oldest + self.max_wait - time.monotonic()
                if len(same) >= self.max_batch_size or remaining <= 0 or self._closed:
                    batch = sorted(same)[: self.max_batch_size]
                    taken = {id(r) for r in batch}
                    self._pending = [r for r in self._pending if id(r) not in taken]
                    return batch
                self._cond.wait(remaining)

    def _execute(self, batch: list[_Request]) -> None:
        live = [r for r in batch if r.future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            results = self.generator.generate([r.prompt for r in live], live[0].config)
        except BaseException as exc:  # hand every caller the failure, keep serving
            for request in live:
                request.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        finally:
            self.batches_run += 1
        for request, hyps in zip(live, results, strict=True):
            request.future.set_result(hyps)
