"""The batcher's bulk lane: interactive requests never wait for a bulk batch, and bulk
batches start only while no interactive work is queued or running."""

from __future__ import annotations

import threading

import pytest

from assistant.engine import DynamicBatcher, GenerationConfig, Priority
from assistant.engine.types import Hypothesis

SHORT = GenerationConfig(max_new_tokens=4)


class Gated:
    """A generator whose calls block on a gate per prompt prefix; records the calls."""

    def __init__(self) -> None:
        self.model_id, self.max_input_tokens = "gated", 64
        self.gates = {kind: threading.Event() for kind in ("hover", "bulk")}
        self.entered = {kind: threading.Event() for kind in ("hover", "bulk")}
        self.calls: list[list[str]] = []
        self._lock = threading.Lock()

    def gate(self, prefix: str) -> threading.Event:
        return self.gates[prefix]

    def generate(self, prompts, config=None):
        prefix = prompts[0].split()[0]
        with self._lock:
            self.calls.append(list(prompts))
        self.entered[prefix].set()
        assert self.gates[prefix].wait(10), f"{prefix} was never released"
        return [[Hypothesis(f"done {p}", 0.0)] for p in prompts]


def test_an_interactive_request_runs_beside_a_running_bulk_batch() -> None:
    gen = Gated()
    gen.gate("hover").set()
    with DynamicBatcher(gen, max_wait_ms=0, bulk_lane=True) as batcher:
        bulk = batcher.submit("bulk 1", SHORT, Priority.BULK)
        assert gen.entered["bulk"].wait(10)  # the bulk batch holds its worker
        hover = batcher.submit("hover 1", SHORT)
        assert hover.result(10)[0].text == "done hover 1"  # not behind the bulk batch
        assert not bulk.done()
        gen.gate("bulk").set()
        assert bulk.result(10)[0].text == "done bulk 1"


def test_without_the_lane_an_interactive_request_waits_for_the_bulk_batch() -> None:
    gen = Gated()
    gen.gate("hover").set()
    with DynamicBatcher(gen, max_wait_ms=0) as batcher:
        bulk = batcher.submit("bulk 1", SHORT, Priority.BULK)
        assert gen.entered["bulk"].wait(10)
        hover = batcher.submit("hover 1", SHORT)
        assert not gen.entered["hover"].wait(0.2)  # one worker: it is busy with bulk
        gen.gate("bulk").set()
        assert hover.result(10) and bulk.result(10)


def test_bulk_does_not_start_while_interactive_work_is_queued_or_running() -> None:
    gen = Gated()
    gen.gate("bulk").set()
    with DynamicBatcher(gen, max_wait_ms=0, bulk_lane=True) as batcher:
        hover = batcher.submit("hover 1", SHORT)
        assert gen.entered["hover"].wait(10)  # interactive work is running
        bulk = batcher.submit("bulk 1", SHORT, Priority.BULK)
        assert not gen.entered["bulk"].wait(0.2)  # bulk yields
        gen.gate("hover").set()
        assert hover.result(10) and bulk.result(10)
    assert [c[0] for c in gen.calls] == ["hover 1", "bulk 1"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_interactive_estimate_leaves_out_the_bulk_lane() -> None:
    gen = Gated()
    clock = FakeClock()
    with DynamicBatcher(gen, max_wait_ms=0, clock=clock, bulk_lane=True) as batcher:
        with batcher._cond:  # a measured cost, not a timed one
            batcher._cost = {SHORT: 0.05}
        bulk = batcher.submit("bulk 1", SHORT, Priority.BULK)
        assert gen.entered["bulk"].wait(10)
        started, _ = batcher.running(Priority.BULK)
        clock.now = started + 0.01  # 40 ms of the bulk batch left
        assert batcher.estimate_wait(SHORT) == pytest.approx(0.05)  # runs beside it
        assert batcher.estimate_wait(SHORT, Priority.BULK) == pytest.approx(0.04 + 0.05)
        gen.gate("bulk").set()
        bulk.result(10)


def test_closing_with_the_lane_drains_or_cancels_both_kinds() -> None:
    gen = Gated()
    gen.gate("hover").set()
    gen.gate("bulk").set()
    batcher = DynamicBatcher(gen, max_wait_ms=0, bulk_lane=True)
    futures = [batcher.submit(f"bulk {i}", SHORT, Priority.BULK) for i in range(3)]
    futures += [batcher.submit(f"hover {i}", SHORT) for i in range(3)]
    batcher.close(cancel_pending=False, timeout=10)
    assert all(f.done() for f in futures)
    assert all(not t.is_alive() for t in batcher._workers)


def test_an_urgent_request_goes_before_queued_interactive_ones() -> None:
    gen = Gated()
    clock = FakeClock()
    with DynamicBatcher(gen, max_wait_ms=0, clock=clock) as batcher:
        with batcher._cond:
            batcher._cost = {SHORT: 0.05}
        first = batcher.submit("bulk hold", SHORT)  # holds the one worker
        assert gen.entered["bulk"].wait(10)
        queued = [batcher.submit(f"hover generate {i}", SHORT) for i in range(3)]
        started, _ = batcher.running()
        clock.now = started + 0.05  # the running batch is due now
        # urgent: only itself (the queued interactive ones run after it)
        assert batcher.estimate_wait(SHORT, Priority.URGENT) == pytest.approx(0.05)
        assert batcher.estimate_wait(SHORT) == pytest.approx(4 * 0.05)
        urgent = batcher.submit("hover urgent", SHORT, Priority.URGENT)
        gen.gate("hover").set()
        gen.gate("bulk").set()
        for f in [first, urgent, *queued]:
            f.result(10)
    order = [p for call in gen.calls for p in call]
    assert order.index("hover urgent") < min(order.index(f"hover generate {i}") for i in range(3))


class Stepping:
    """A generator that runs ``steps`` decoder steps per call through the search's step gate
    (bulk prompts) or holds until released (hover prompts); it logs every step."""

    def __init__(self, steps: int = 60) -> None:
        self.model_id, self.max_input_tokens = "stepping", 64
        self.steps = steps
        self.log: list[str] = []
        self.hover_started = threading.Event()
        self.release = threading.Event()

    def bulk_steps(self) -> int:
        return sum(1 for entry in list(self.log) if entry == "bulk")

    def generate(self, prompts, config=None):
        import time

        from assistant.engine.search import step_gate

        if prompts[0].startswith("hover"):
            self.hover_started.set()
            assert self.release.wait(10), "the hover was never released"
        else:
            for _ in range(self.steps):
                step_gate()
                self.log.append("bulk")
                time.sleep(0.005)
        return [[Hypothesis(f"done {p}", 0.0)] for p in prompts]


def _wait_for(condition, timeout: float = 10.0) -> None:
    import time

    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.002)


@pytest.mark.parametrize(
    "priority, counter",
    [(Priority.BULK, "bulk_pauses"), (Priority.INTERACTIVE, "interactive_pauses")],
)
def test_a_running_batch_pauses_its_steps_while_a_hover_runs(priority, counter) -> None:
    """A bulk batch, and a "Generate docstring" one, hold their steps for a hover."""
    import time

    gen = Stepping()
    with DynamicBatcher(
        gen, max_wait_ms=0, bulk_lane=True, max_bulk_pause_ms=5000, max_interactive_pause_ms=5000
    ) as batcher:
        running = batcher.submit("bulk 1", SHORT, priority)
        _wait_for(lambda: gen.bulk_steps() >= 2)
        hover = batcher.submit("hover 1", SHORT, Priority.URGENT)
        assert gen.hover_started.wait(10)
        before = gen.bulk_steps()
        time.sleep(0.15)  # ~30 steps' time: the batch takes at most the one in flight
        assert gen.bulk_steps() <= before + 1
        gen.release.set()
        assert hover.result(10)[0].text == "done hover 1"
        assert running.result(10)[0].text == "done bulk 1"
        assert gen.bulk_steps() == gen.steps and getattr(batcher, counter) >= 1
        assert batcher.load()[counter] == getattr(batcher, counter)
        other = "interactive_pauses" if counter == "bulk_pauses" else "bulk_pauses"
        assert getattr(batcher, other) == 0


def test_a_bulk_batch_is_slowed_never_starved_and_its_cost_leaves_the_pauses_out() -> None:
    import time

    gen = Stepping(steps=20)
    with DynamicBatcher(gen, max_wait_ms=0, bulk_lane=True, max_bulk_pause_ms=20) as batcher:
        bulk = batcher.submit("bulk 1", SHORT, Priority.BULK)
        _wait_for(lambda: gen.bulk_steps() >= 1)
        hover = batcher.submit("hover 1", SHORT)
        assert gen.hover_started.wait(10)
        started = time.monotonic()
        assert bulk.result(10)  # the hover is still held: bulk went on, a pause at a time
        held = time.monotonic() - started
        assert not hover.done() and batcher.bulk_pauses >= 2
        # the recorded per-item cost is the batch's own work, not the time it waited
        assert batcher.item_cost(SHORT) < held
        gen.release.set()
        assert hover.result(10)


def test_a_running_bulk_batch_pauses_while_the_front_end_answers_outside_the_engine() -> None:
    """A hover's retrieval and rendering run outside the batcher: the front end's busy
    signal holds the bulk batch's steps too, and releasing it lets them go on."""
    import time

    busy = threading.Event()
    gen = Stepping(steps=40)
    with DynamicBatcher(
        gen, max_wait_ms=0, bulk_lane=True, max_bulk_pause_ms=5000, interactive_busy=busy.is_set
    ) as batcher:
        bulk = batcher.submit("bulk 1", SHORT, Priority.BULK)
        _wait_for(lambda: gen.bulk_steps() >= 2)
        busy.set()  # an editor request is being answered, nothing queued in the batcher
        _wait_for(lambda: batcher.bulk_pauses >= 1)
        before = gen.bulk_steps()
        time.sleep(0.15)  # ~30 steps' time
        assert gen.bulk_steps() <= before + 1
        busy.clear()
        assert bulk.result(10)[0].text == "done bulk 1"
        assert gen.bulk_steps() == gen.steps


def test_a_broken_front_end_signal_does_not_stop_bulk_work() -> None:
    def broken() -> bool:
        raise RuntimeError("signal gone")

    gen = Stepping(steps=5)
    with DynamicBatcher(gen, max_wait_ms=0, bulk_lane=True, interactive_busy=broken) as batcher:
        assert batcher.submit("bulk 1", SHORT, Priority.BULK).result(10)
        assert batcher.bulk_pauses == 0


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="per-thread nice")
def test_the_bulk_lane_runs_at_a_lower_os_priority() -> None:
    """The editor, the event loop and interactive drafts get the cores first."""
    import os

    from assistant.engine.batcher import BULK_NICE

    gen = Stepping(steps=2)
    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    with DynamicBatcher(gen, max_wait_ms=0, bulk_lane=True) as batcher:
        assert batcher.submit("bulk 1", SHORT, Priority.BULK).result(10)
        urgent, interactive, bulk = batcher._workers
        assert os.getpriority(os.PRIO_PROCESS, bulk.native_id) == min(19, base + BULK_NICE)
        assert os.getpriority(os.PRIO_PROCESS, interactive.native_id) == base
        assert os.getpriority(os.PRIO_PROCESS, urgent.native_id) == base


def test_an_urgent_request_runs_beside_a_running_interactive_batch() -> None:
    """A hover never waits for a "Generate docstring" batch: each priority has a lane."""
    gen = Gated()
    gen.gate("hover").set()
    with DynamicBatcher(gen, max_wait_ms=0, bulk_lane=True) as batcher:
        generate = batcher.submit("bulk generate", SHORT, Priority.INTERACTIVE)
        assert gen.entered["bulk"].wait(10)  # the interactive batch holds its worker
        hover = batcher.submit("hover 1", SHORT, Priority.URGENT)
        assert hover.result(10)[0].text == "done hover 1"
        assert not generate.done()
        gen.gate("bulk").set()
        assert generate.result(10)[0].text == "done bulk generate"


def test_an_interactive_batch_pauses_for_urgent_work_a_bounded_time_in_all() -> None:
    """Past ``max_interactive_pause_ms`` of pauses a batch runs beside the urgent work:
    a "Generate docstring" is slowed by hovers, never starved."""
    gen = Stepping(steps=10)
    with DynamicBatcher(gen, max_wait_ms=0, bulk_lane=True, max_interactive_pause_ms=60) as b:
        generate = b.submit("generate 1", SHORT, Priority.INTERACTIVE)
        _wait_for(lambda: gen.bulk_steps() >= 1)
        hover = b.submit("hover 1", SHORT, Priority.URGENT)
        assert gen.hover_started.wait(10)
        assert generate.result(10)  # the hover is still held: one pause, then on
        assert not hover.done() and b.interactive_pauses == 1
        assert b._paused_s[int(Priority.INTERACTIVE)] >= 0.06  # its whole allowance, once
        gen.release.set()
        assert hover.result(10)


def test_estimates_count_the_lanes_a_request_waits_for() -> None:
    """An urgent request runs beside a running interactive batch (which pauses for it);
    an interactive one waits for a running urgent batch."""
    gen = Gated()
    clock = FakeClock()
    with DynamicBatcher(gen, max_wait_ms=0, clock=clock, bulk_lane=True) as batcher:
        with batcher._cond:  # a measured cost, not a timed one
            batcher._cost = {SHORT: 0.05}
        generate = batcher.submit("bulk generate", SHORT, Priority.INTERACTIVE)
        assert gen.entered["bulk"].wait(10)
        started, _ = batcher.running(Priority.INTERACTIVE)
        clock.now = started + 0.01  # 40 ms of the interactive batch left
        assert batcher.estimate_wait(SHORT, Priority.URGENT) == pytest.approx(0.05)
        assert batcher.estimate_wait(SHORT) == pytest.approx(0.04 + 0.05)
        assert batcher.running(Priority.URGENT) is None
        hover = batcher.submit("hover 1", SHORT, Priority.URGENT)
        assert gen.entered["hover"].wait(10)
        started_urgent, _ = batcher.running(Priority.URGENT)
        clock.now = started_urgent + 0.01  # 40 ms left of the urgent batch, 30 ms of the other
        assert batcher.estimate_wait(SHORT, Priority.URGENT) == pytest.approx(0.04 + 0.05)
        assert batcher.estimate_wait(SHORT) == pytest.approx(0.03 + 0.04 + 0.05)
        gen.gate("hover").set()
        gen.gate("bulk").set()
        assert hover.result(10) and generate.result(10)
