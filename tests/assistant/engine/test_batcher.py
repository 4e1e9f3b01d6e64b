"""The dynamic batcher: grouping, priorities, cancellation, concurrency, failures."""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError, ThreadPoolExecutor

import pytest

from assistant.engine import DynamicBatcher, GenerationConfig, Priority
from assistant.engine.batcher import BatcherClosedError

SHORT = GenerationConfig(max_new_tokens=4)


class Recording:
    """Wraps a real generator: records every batch and can hold the worker on a gate."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id, self.max_input_tokens = inner.model_id, inner.max_input_tokens
        self.batches: list[tuple[list[str], GenerationConfig]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def generate(self, prompts, config=None):
        self.entered.set()
        self.gate.wait(10)
        self.batches.append((list(prompts), config))
        return self.inner.generate(prompts, config)

    def generate_texts(self, prompts, config=None):
        return [h[0].text for h in self.generate(prompts, config)]


def _hold_worker(rec: Recording, batcher: DynamicBatcher):
    """Occupy the worker with one request so later submissions queue up."""
    rec.gate.clear()
    first = batcher.submit("hold", SHORT)
    assert rec.entered.wait(10)
    return first


def test_each_caller_gets_the_answer_to_its_own_prompt(onnx_fp32) -> None:
    prompts = [f"def f{i}(x): return x + {i}" for i in range(8)]
    expected = {p: onnx_fp32.generate([p], SHORT)[0][0].text for p in prompts}
    with DynamicBatcher(onnx_fp32, max_batch_size=16, max_wait_ms=2) as batcher:
        futures = [batcher.submit(p, SHORT) for p in prompts]
        assert {p: f.result(30)[0].text for p, f in zip(prompts, futures, strict=True)} == expected


def test_thousand_requests_from_sixteen_threads(onnx_fp32) -> None:
    prompts = [f"def get_{i}(path): return path.item{i}" for i in range(40)]
    expected = {p: onnx_fp32.generate([p], SHORT)[0][0].text for p in prompts}
    rec = Recording(onnx_fp32)
    with DynamicBatcher(rec, max_batch_size=16, max_wait_ms=2) as batcher:

        def caller(worker: int) -> list[tuple[str, str]]:
            out = []
            for j in range(1000 // 16 + 1):
                n = worker * 63 + j
                if n >= 1000:
                    break
                prompt = prompts[n % len(prompts)]
                prio = Priority.BULK if n % 3 else Priority.INTERACTIVE
                out.append((prompt, batcher.submit(prompt, SHORT, prio).result(60)[0].text))
            return out

        with ThreadPoolExecutor(16) as pool:
            answers = [a for chunk in pool.map(caller, range(16)) for a in chunk]
    assert len(answers) == 1000
    assert all(text == expected[prompt] for prompt, text in answers)
    assert sum(len(b[0]) for b in rec.batches) == 1000
    assert max(len(b[0]) for b in rec.batches) > 1  # requests really were batched


def test_interactive_requests_run_before_bulk_ones(onnx_fp32) -> None:
    rec = Recording(onnx_fp32)
    with DynamicBatcher(rec, max_batch_size=2, max_wait_ms=0) as batcher:
        first = _hold_worker(rec, batcher)
        bulk = [batcher.submit(f"bulk {i}", SHORT, Priority.BULK) for i in range(3)]
        inter = [batcher.submit(f"inter {i}", SHORT, Priority.INTERACTIVE) for i in range(3)]
        rec.gate.set()
        for f in [first, *bulk, *inter]:
            f.result(30)
    order = [p for prompts, _ in rec.batches[1:] for p in prompts]
    assert order == ["inter 0", "inter 1", "inter 2", "bulk 0", "bulk 1", "bulk 2"]
    assert [len(p) for p, _ in rec.batches[1:]] == [2, 2, 2]


def test_only_equal_configs_share_a_batch(onnx_fp32) -> None:
    rec = Recording(onnx_fp32)
    other = GenerationConfig(max_new_tokens=3)
    with DynamicBatcher(rec, max_batch_size=8, max_wait_ms=0) as batcher:
        first = _hold_worker(rec, batcher)
        futures = [batcher.submit(f"p{i}", SHORT if i % 2 else other) for i in range(6)]
        rec.gate.set()
        for f in [first, *futures]:
            f.result(30)
    for prompts, config in rec.batches[1:]:
        assert all((int(p[1:]) % 2 == 1) == (config == SHORT) for p in prompts)
    assert len(rec.batches) == 3


def test_queued_requests_can_be_cancelled(onnx_fp32) -> None:
    rec = Recording(onnx_fp32)
    with DynamicBatcher(rec, max_batch_size=4, max_wait_ms=0) as batcher:
        first = _hold_worker(rec, batcher)
        keep = batcher.submit("keep me", SHORT)
        drop = batcher.submit("drop me", SHORT)
        assert drop.cancel()
        rec.gate.set()
        assert keep.result(30) and first.result(30)
        with pytest.raises(CancelledError):
            drop.result(1)
    assert all("drop me" not in prompts for prompts, _ in rec.batches)


def test_max_wait_groups_requests_arriving_close_together(onnx_fp32) -> None:
    rec = Recording(onnx_fp32)
    with DynamicBatcher(rec, max_batch_size=16, max_wait_ms=300) as batcher:
        futures = [batcher.submit(f"p{i}", SHORT) for i in range(5)]
        for f in futures:
            f.result(30)
    assert [len(p) for p, _ in rec.batches] == [5]


def test_generator_failure_reaches_callers_and_batcher_keeps_serving(onnx_fp32) -> None:
    class Flaky(Recording):
        def generate(self, prompts, config=None):
            if "boom" in prompts:
                raise RuntimeError("backend exploded")
            return super().generate(prompts, config)

    with DynamicBatcher(Flaky(onnx_fp32), max_batch_size=4, max_wait_ms=0) as batcher:
        with pytest.raises(RuntimeError, match="exploded"):
            batcher.submit("boom", SHORT).result(30)
        assert batcher.submit("fine", SHORT).result(30)


def test_close_cancels_queue_and_refuses_new_work(onnx_fp32) -> None:
    rec = Recording(onnx_fp32)
    batcher = DynamicBatcher(rec, max_batch_size=1, max_wait_ms=0)
    first = _hold_worker(rec, batcher)
    queued = batcher.submit("queued", SHORT)
    threading.Timer(0.2, rec.gate.set).start()
    batcher.close()
    assert first.result(30) and queued.cancelled()
    with pytest.raises(BatcherClosedError):
        batcher.submit("late", SHORT)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_estimated_wait_is_queue_depth_times_recent_item_cost(onnx_fp32) -> None:
    rec = Recording(onnx_fp32)
    clock = FakeClock()
    with DynamicBatcher(rec, max_batch_size=4, max_wait_ms=0, clock=clock) as batcher:
        assert batcher.estimate_wait(SHORT) == 0.0  # nothing measured yet
        batcher.submit("one", SHORT).result(30)
        with batcher._cond:  # a measured cost, not a timed one
            batcher._cost = {SHORT: 0.05}
        rec.entered.clear()
        first = _hold_worker(rec, batcher)
        queued = [batcher.submit(f"q {i}", SHORT) for i in range(3)]
        bulk = batcher.submit("bulk", SHORT, Priority.BULK)
        assert batcher.queue_depth() == 4 and batcher.queue_depth(Priority.INTERACTIVE) == 3
        started, _ = batcher.running()
        clock.now = started + 0.02  # 30 ms of the running batch left
        # interactive: 3 queued ahead + itself (the bulk one runs after it)
        assert batcher.estimate_wait(SHORT) == pytest.approx(0.03 + 4 * 0.05)
        assert batcher.estimate_wait(SHORT, Priority.BULK) == pytest.approx(0.03 + 5 * 0.05)
        two_beams = GenerationConfig(max_new_tokens=4, num_beams=2)
        assert batcher.item_cost(two_beams) == pytest.approx(0.1)  # unknown: per beam
        queued[0].cancel()
        assert batcher.queue_depth(Priority.INTERACTIVE) == 2
        rec.gate.set()
        for f in [first, *queued[1:], bulk]:
            f.result(30)
        load = batcher.load()
    assert load["queue_depth"] == 0
    assert sum(load["batch_sizes"].values()) == load["batches"] == len(rec.batches)


def test_a_bulk_batch_holds_the_engine_for_a_bounded_time(onnx_fp32) -> None:
    rec = Recording(onnx_fp32)
    with DynamicBatcher(rec, max_batch_size=16, max_wait_ms=0, max_bulk_hold_ms=100) as batcher:
        first = _hold_worker(rec, batcher)
        with batcher._cond:
            batcher._cost = {SHORT: 0.04}  # 100 ms hold: at most 2 bulk prompts a batch
        bulk = [batcher.submit(f"bulk {i}", SHORT, Priority.BULK) for i in range(6)]
        inter = [batcher.submit(f"inter {i}", SHORT) for i in range(6)]
        rec.gate.set()
        for f in [first, *bulk, *inter]:
            f.result(30)
    batches = [p for p, _ in rec.batches[1:]]
    assert all(f"inter {i}" in batches[0] for i in range(6))  # interactive ones first
    # the measured hold batch moves the average to >= 0.7 * 40 ms: at most 3 bulk prompts
    assert max(sum(p.startswith("bulk") for p in prompts) for prompts in batches) <= 3
    assert sum(len(p) for p in batches) == 12


def test_cancelled_requests_leave_the_batcher_consistent(onnx_fp32) -> None:
    rec = Recording(onnx_fp32)
    with DynamicBatcher(rec, max_batch_size=4, max_wait_ms=0) as batcher:
        first = _hold_worker(rec, batcher)
        futures = [batcher.submit(f"c {i}", SHORT) for i in range(50)]
        for f in futures[::2]:
            assert f.cancel()
        rec.gate.set()
        first.result(30)
        for f in futures[1::2]:
            assert f.result(30)
        after = batcher.submit("after", SHORT).result(30)
        assert after and batcher.queue_depth() == 0
        assert batcher.running() is None
    served = [p for prompts, _ in rec.batches for p in prompts]
    assert not any(p in served for p in (f"c {i}" for i in range(0, 50, 2)))
