"""A dynamic batcher (runtime side): many callers, one batched generation at a time.

Callers (LSP requests, bulk workers) :meth:`DynamicBatcher.submit` single prompts and get
a :class:`~concurrent.futures.Future`. One worker thread groups queued requests that
share a :class:`~assistant.engine.types.GenerationConfig` into a batch of at most
``max_batch_size``, waiting at most ``max_wait_ms`` after the oldest request for the batch
to fill, runs one ``generate`` call and hands each caller its own result. Interactive
requests go before bulk ones; queued requests can be cancelled with ``future.cancel()``.

The batcher also knows its load: the recent cost per prompt of each configuration (a
moving average of measured batches) and what is queued, so :meth:`DynamicBatcher.estimate_wait`
tells a router how long a new request would wait (queue depth x per-item cost, plus the
rest of the batch running now). A bulk batch is kept small enough that it holds the engine
for at most ``max_bulk_hold_ms`` (by that same per-item cost), so an interactive request
never waits behind a long bulk batch.

With ``bulk_lane`` (a generator whose ``generate`` may be called from several threads at
once, such as the ONNX one) each priority has a worker of its own (a lane): an urgent
request (a hover) never waits for a running "Generate docstring" batch, nor an interactive
one for a bulk batch (it starts at once, beside it), and a bulk batch starts only while no
interactive request is queued or running, so bulk work yields to interactive work at every
batch. A batch already under way pauses before each decoder step while more urgent work
is queued or running (at most ``max_bulk_pause_ms`` a step for bulk batches,
``max_interactive_pause_ms`` in all for an interactive batch, so they are slowed, never
starved), leaving the cores to the more urgent draft; past that, both run side by side.
``interactive_busy`` widens "interactive work" beyond the batcher: a front end whose
requests also spend time outside the engine (a hover's retrieval and rendering) reports
them there, and a bulk batch pauses for those too.
"""

from __future__ import annotations

import functools
import itertools
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import IntEnum

from assistant.engine.search import set_step_gate
from assistant.engine.types import GenerationConfig, Hypothesis, TextGenerator

BUSY_POLL_S = 0.002
"""How often a paused bulk batch looks at the front end's ``interactive_busy`` signal
(which does not notify the batcher when it turns false)."""


BULK_NICE = 10
"""How much lower the bulk lane's thread runs in the OS scheduler (Linux nice
increment): on a busy machine the editor, the server's event loop and interactive drafts
get the cores first, and bulk work takes what is left."""


def lower_thread_priority(increment: int) -> bool:
    """Lower the calling thread's scheduling priority by ``increment`` (Linux gives each
    thread its own nice value; elsewhere, or when refused, nothing changes); return
    whether it changed."""
    if not sys.platform.startswith("linux") or increment <= 0:
        return False
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + increment))
    except (AttributeError, OSError):
        return False
    return True


class Priority(IntEnum):
    """Lower runs first: ``URGENT`` (an interactive request with a tight budget, such as
    a hover) before ``INTERACTIVE`` ones, both before ``BULK``."""

    URGENT = -1
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
        max_bulk_hold_ms: Longest a bulk batch may hold the engine (by the recent
            per-item cost of its configuration; a batch has at least one prompt).
        clock: Monotonic clock in seconds (tests inject one).
        bulk_lane: Run each priority's batches on a worker thread of its own (lanes;
            see the module's docstring); the generator must allow concurrent
            ``generate`` calls. Off: one worker runs every batch, most urgent first.
        max_bulk_pause_ms: With lanes, longest a running bulk batch waits before one
            decoder step while interactive work is queued or running.
        interactive_busy: Whether the front end is answering an interactive request now
            (outside the batcher too: retrieval, rendering); a running bulk batch pauses
            before its decoder steps while it is, as for queued interactive drafts. None:
            only the batcher's own queue counts.
        max_interactive_pause_ms: With lanes, longest a running interactive batch waits
            in all (its decoder steps together) while urgent requests are queued or
            running; after that it runs beside them.

    Attributes:
        batches_run: Batches run so far.
        batch_sizes: How many batches ran with each number of prompts (a histogram).
        bulk_pauses: Decoder steps a bulk batch waited before, for interactive work.
        interactive_pauses: Decoder steps an interactive batch waited before, for urgent
            work.
    """

    def __init__(
        self,
        generator: TextGenerator,
        max_batch_size: int = 16,
        max_wait_ms: float = 5.0,
        max_bulk_hold_ms: float = 250.0,
        clock: Callable[[], float] = time.monotonic,
        bulk_lane: bool = False,
        max_bulk_pause_ms: float = 500.0,
        interactive_busy: Callable[[], bool] | None = None,
        max_interactive_pause_ms: float = 100.0,
    ) -> None:
        if max_batch_size < 1:
            raise ValueError(f"max_batch_size must be >= 1, got {max_batch_size}")
        self.generator = generator
        self.max_batch_size = max_batch_size
        self.max_wait = max(0.0, max_wait_ms) / 1000.0
        self.max_bulk_hold = max(0.0, max_bulk_hold_ms) / 1000.0
        self.clock = clock
        self._pending: list[_Request] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._closed = False
        self.batches_run = 0
        self.batch_sizes: dict[int, int] = {}
        self._cost: dict[GenerationConfig, float] = {}  # seconds per prompt, moving average
        self.bulk_lane = bulk_lane
        self._lanes: tuple[int | None, ...] = (
            (int(Priority.URGENT), int(Priority.INTERACTIVE), int(Priority.BULK))
            if bulk_lane
            else (None,)  # one worker takes every priority, most urgent first
        )
        # each lane's running batch: (started, estimated seconds)
        self._running: dict[int | None, tuple[float, float] | None] = dict.fromkeys(self._lanes)
        self._max_pause = {
            int(Priority.INTERACTIVE): max(0.0, max_interactive_pause_ms) / 1000.0,
            int(Priority.BULK): max(0.0, max_bulk_pause_ms) / 1000.0,
        }
        self.bulk_pauses = 0
        self.interactive_pauses = 0
        self.interactive_busy = interactive_busy
        # each lane's pause time so far (left out of its costs)
        self._paused_s: dict[int | None, float] = dict.fromkeys(self._lanes, 0.0)
        self._batch_paused = dict(self._paused_s)  # the pause time when its batch began
        self._workers = [
            threading.Thread(target=self._run, args=(lane,), name=_LANE_NAMES[lane], daemon=True)
            for lane in self._lanes
        ]
        for worker in self._workers:
            worker.start()

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
            self.clock(),
        )  # fmt: skip
        with self._cond:
            if self._closed:
                raise BatcherClosedError("the batcher is closed; create a new one")
            self._pending.append(request)
            self._cond.notify_all()
        return future

    def item_cost(self, config: GenerationConfig) -> float:
        """Recent seconds per prompt of ``config`` (a configuration not run yet costs
        what the dearest one run so far did per beam, times its beams; 0 before any)."""
        with self._cond:
            return self._item_cost(config)

    def _item_cost(self, config: GenerationConfig) -> float:
        known = self._cost.get(config)
        if known is not None:
            return known
        per_beam = [cost / c.num_beams for c, cost in self._cost.items()]
        return max(per_beam, default=0.0) * config.num_beams

    def queue_depth(self, priority: Priority | None = None) -> int:
        """Queued requests (not cancelled), of ``priority`` or more urgent when given."""
        with self._cond:
            return len(self._queued(priority))

    def _queued(self, priority: Priority | None) -> list[_Request]:
        return [
            r
            for r in self._pending
            if not r.future.cancelled() and (priority is None or r.priority <= int(priority))
        ]

    def estimate_wait(
        self, config: GenerationConfig, priority: Priority = Priority.INTERACTIVE
    ) -> float:
        """Seconds a request of ``config`` submitted now would take to be answered: the
        rest of the running batches it waits for (its lane's and, with lanes, the more
        urgent ones it pauses for), every queued request that runs before it (same or
        more urgent priority) at its configuration's recent per-item cost, and its own."""
        with self._cond:
            wait = self._item_cost(config)
            for lane, batch in self._running.items():
                if batch is None or (lane is not None and lane > int(priority)):
                    continue  # a less urgent lane's batch pauses for this one
                started, estimated = batch
                wait += max(0.0, started + estimated - self.clock())
            for request in self._queued(priority):
                wait += self._item_cost(request.config)
            return wait

    def running(self, priority: Priority | None = None) -> tuple[float, float] | None:
        """The batch running now on ``priority``'s lane as (started, estimated seconds)
        (without lanes: the one worker's; ``priority`` is ignored), or None."""
        lane = None if self._lanes == (None,) or priority is None else int(priority)
        with self._cond:
            return self._running.get(lane)

    def load(self) -> dict[str, object]:
        """The batcher's state for stats: queue depth, batch-size histogram, per-item
        costs (ms) by beams."""
        with self._cond:
            return {
                "queue_depth": len(self._queued(None)),
                "queue_depth_interactive": len(self._queued(Priority.INTERACTIVE)),
                "batches": self.batches_run,
                "bulk_pauses": self.bulk_pauses,
                "interactive_pauses": self.interactive_pauses,
                "batch_sizes": {str(k): v for k, v in sorted(self.batch_sizes.items())},
                "item_cost_ms": {
                    f"beams={c.num_beams},max={c.max_new_tokens}": round(v * 1000, 2)
                    for c, v in self._cost.items()
                },
            }

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
        for worker in self._workers:
            worker.join(timeout)

    def __enter__(self) -> DynamicBatcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self, lane: int | None) -> None:
        if lane is not None and lane > int(Priority.URGENT):
            set_step_gate(functools.partial(self._yield_to_urgent_work, lane))
        if lane == int(Priority.BULK):
            lower_thread_priority(BULK_NICE)
        while True:
            batch = self._next_batch(lane)
            if batch is None:
                return
            self._execute(batch, lane)

    def _more_urgent_waiting(self, lane: int) -> bool:
        """Whether a request more urgent than ``lane``'s is queued or running."""
        running = any(
            batch is not None for other, batch in self._running.items() if other < lane
        )  # fmt: skip
        return running or any(r.priority < lane and not r.future.cancelled() for r in self._pending)

    def _front_end_busy(self) -> bool:
        busy = self.interactive_busy
        try:
            return bool(busy()) if busy is not None else False
        except Exception:  # noqa: BLE001 - a broken signal must not stop bulk work
            return False

    def _yield_to_urgent_work(self, lane: int) -> None:
        """A lane's step gate: wait (at most its pause a step) while a more urgent
        request is queued or running; the bulk lane also while the front end answers an
        interactive request (``interactive_busy``, polled every :data:`BUSY_POLL_S`)."""
        bulk = lane == int(Priority.BULK)
        with self._cond:
            if self._closed or not (
                self._more_urgent_waiting(lane) or (bulk and self._front_end_busy())
            ):
                return
            if bulk:  # at most its pause a step
                allowed = self._max_pause[lane]
                self.bulk_pauses += 1
            else:  # an interactive batch's pauses are bounded in all, not per step
                allowed = self._max_pause[lane] - (self._paused_s[lane] - self._batch_paused[lane])
                if allowed <= 0:
                    return
                self.interactive_pauses += 1
            start = time.monotonic()
            deadline = start + allowed
            while not self._closed:
                queued = self._more_urgent_waiting(lane)
                if not queued and not (bulk and self._front_end_busy()):
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left if queued else min(left, BUSY_POLL_S))
            self._paused_s[lane] += time.monotonic() - start

    def _eligible(self, lane: int | None) -> list[_Request]:
        """What a lane's worker may take now: everything (one worker); with lanes, the
        requests of its priority, the bulk lane's only while no more urgent request is
        queued or running."""
        if lane is None:
            return self._pending
        if lane == int(Priority.BULK) and self._more_urgent_waiting(lane):
            return []
        return [r for r in self._pending if r.priority == lane]

    def _next_batch(self, lane: int | None = None) -> list[_Request] | None:
        """Block until a batch is ready (full, or its oldest request waited enough)."""
        with self._cond:
            while True:
                self._pending = [r for r in self._pending if not r.future.cancelled()]
                eligible = self._eligible(lane)
                if not eligible:
                    # closing: each worker ends once nothing it would take is left
                    mine = [r for r in self._pending if lane is None or r.priority == lane]
                    if self._closed and not mine:
                        return None
                    self._cond.wait()
                    continue
                head = min(eligible)
                same = [r for r in eligible if r.config == head.config]
                batch = self._fill(sorted(same))
                oldest = min(r.arrived for r in same)
                remaining = oldest + self.max_wait - self.clock()
                full = len(batch) >= self.max_batch_size or len(batch) < len(same)
                if full or remaining <= 0 or self._closed:
                    taken = {id(r) for r in batch}
                    self._pending = [r for r in self._pending if id(r) not in taken]
                    cost = self._item_cost(head.config) * len(batch)
                    self._running[lane] = (self.clock(), cost)
                    return batch
                self._cond.wait(remaining)

    def _fill(self, ordered: list[_Request]) -> list[_Request]:
        """The next batch out of ``ordered`` (same config, most urgent first): at most
        ``max_batch_size`` prompts, of which at most as many bulk ones as run within
        ``max_bulk_hold`` at the config's recent per-item cost (at least one)."""
        cost = self._item_cost(ordered[0].config)
        bulk_limit = self.max_batch_size
        if cost > 0:
            bulk_limit = max(1, int(self.max_bulk_hold / cost))
        batch: list[_Request] = []
        bulk = 0
        for request in ordered[: self.max_batch_size]:
            if request.priority >= int(Priority.BULK):
                if bulk >= bulk_limit and batch:
                    break
                bulk += 1
            batch.append(request)
        return batch

    def _execute(self, batch: list[_Request], lane: int | None = None) -> None:
        live = [r for r in batch if r.future.set_running_or_notify_cancel()]
        if not live:
            with self._cond:
                self._done(lane)
            return
        started = time.perf_counter()
        paused = self._batch_paused[lane] = self._paused_s[lane]
        try:
            results = self.generator.generate([r.prompt for r in live], live[0].config)
        except BaseException as exc:  # hand every caller the failure, keep serving
            for request in live:
                request.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        finally:
            # what the batch cost, without the steps it waited for more urgent work
            seconds = time.perf_counter() - started - (self._paused_s[lane] - paused)
            self._ran(live[0].config, len(live), max(seconds, 0.0), lane)
        for request, hyps in zip(live, results, strict=True):
            request.future.set_result(hyps)

    def _ran(self, config: GenerationConfig, size: int, seconds: float, lane: int | None) -> None:
        """Record one batch: its size, and its per-item cost into the moving average."""
        with self._cond:
            self.batches_run += 1
            self.batch_sizes[size] = self.batch_sizes.get(size, 0) + 1
            per_item = seconds / size
            old = self._cost.get(config)
            self._cost[config] = per_item if old is None else 0.7 * old + 0.3 * per_item
            self._done(lane)

    def _done(self, lane: int | None) -> None:
        """A lane's batch is over (called holding the lock): less urgent lanes may go on."""
        self._running[lane] = None
        self._cond.notify_all()


_LANE_NAMES = {
    None: "docgen-batcher",
    int(Priority.URGENT): "docgen-batcher-urgent",
    int(Priority.INTERACTIVE): "docgen-batcher",
    int(Priority.BULK): "docgen-batcher-bulk",
}
