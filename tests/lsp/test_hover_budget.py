"""A hover is answered within its budget: a draft not back by then (slow retrieval, a busy
interpreter) gives way to the name as a sentence, and goes on into the cache."""

from __future__ import annotations

import asyncio
import threading
import time

from lsp import hover


class Service:
    """The two calls the hover makes of the pipeline service: a draft that waits for the
    test (the product's drafting is covered elsewhere), the quick answer, the budget."""

    def __init__(self, budget_s: float | None) -> None:
        self.budget = budget_s
        self.release = threading.Event()
        self.drafts_done = 0
        self.quick: list[str] = []

    def draft(self, *args, started: float) -> str:
        assert self.release.wait(10), "the draft was never released"
        self.drafts_done += 1
        return "drafted"

    def quick_draft(self, *args, reason: str = "overload") -> str:
        self.quick.append(reason)
        return "name sentence"

    def budget_s(self, kind: str) -> float | None:
        assert kind == "hover"
        return self.budget


async def _wait(condition, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        await asyncio.sleep(0.005)


def test_a_draft_that_misses_the_budget_is_answered_late_and_still_finishes() -> None:
    service = Service(budget_s=0.05)

    async def run() -> None:
        answer = await hover._draft_in_budget(service, ("a.py",), time.monotonic())
        assert answer == "name sentence" and service.quick == ["late"]
        assert hover._in_flight[0] == 1  # its thread is still drafting: it still counts
        service.release.set()
        await _wait(lambda: hover._in_flight[0] == 0)
        assert service.drafts_done == 1  # the draft went on (into the output cache)

    asyncio.run(run())


def test_a_request_that_arrived_long_ago_is_answered_at_once() -> None:
    """The budget counts from when the message was read, not from the handler."""
    service = Service(budget_s=0.25)

    async def run() -> None:
        started = time.monotonic() - 1.0
        begun = time.monotonic()
        assert await hover._draft_in_budget(service, ("a.py",), started) == "name sentence"
        assert time.monotonic() - begun < 5  # no wait for the draft
        service.release.set()
        await _wait(lambda: hover._in_flight[0] == 0)

    asyncio.run(run())


def test_a_draft_within_the_budget_is_the_answer() -> None:
    service = Service(budget_s=30.0)
    service.release.set()

    async def run() -> None:
        assert await hover._draft_in_budget(service, ("a.py",), time.monotonic()) == "drafted"
        assert service.quick == [] and hover._in_flight[0] == 0

    asyncio.run(run())


def test_without_a_budget_the_hover_waits_for_the_draft() -> None:
    """Degradation off: no late answer, however long the draft takes."""
    service = Service(budget_s=None)

    async def run() -> None:
        waiting = asyncio.ensure_future(
            hover._draft_in_budget(service, ("a.py",), time.monotonic() - 10.0)
        )
        await asyncio.sleep(0.1)
        assert not waiting.done()
        service.release.set()
        assert await waiting == "drafted" and service.quick == []

    asyncio.run(run())


def test_a_cancelled_hover_drops_its_draft_and_frees_its_place() -> None:
    service = Service(budget_s=30.0)

    async def run() -> None:
        waiting = asyncio.ensure_future(
            hover._draft_in_budget(service, ("a.py",), time.monotonic())
        )
        await asyncio.sleep(0.05)
        waiting.cancel()
        service.release.set()  # the draft had started: its thread finishes it
        await _wait(lambda: hover._in_flight[0] == 0)
        assert waiting.cancelled()

    asyncio.run(run())
