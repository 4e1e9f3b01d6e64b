"""The index's documented definitions are read in one scan, once, before the first
request when the server warms up, and threads asking meanwhile share that scan."""

from __future__ import annotations

import threading
from pathlib import Path

from assistant.callees import CalleeResolver
from indexer.store import IndexStore


class CountingStore:
    """The real store, counting its whole-index scans (the costly read)."""

    def __init__(self, store: IndexStore, gate: threading.Event | None = None) -> None:
        self.store, self.scans, self.gate = store, 0, gate

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def symbols(self, path: str | None = None):
        if path is None:
            self.scans += 1
            if self.gate is not None:
                assert self.gate.wait(10)
        return self.store.symbols(path)


def _open(root: Path) -> IndexStore:
    return IndexStore.open(root)


def test_one_scan_serves_both_maps(indexed_repo: Path) -> None:
    store = CountingStore(_open(indexed_repo))
    resolver = CalleeResolver(lambda: store, lambda _: None)
    names = resolver.documented_by_name()
    assert names and all(s.docstring for s in names.values())
    resolver.documented_callers("anything")
    assert store.scans == 1
    resolver.reset()
    resolver.documented_callers("anything")
    assert store.scans == 2


def test_warm_reads_the_index_before_any_request(indexed_repo: Path) -> None:
    store = CountingStore(_open(indexed_repo))
    resolver = CalleeResolver(lambda: store, lambda _: None)
    resolver.warm()
    assert store.scans == 1
    resolver.documented_by_name()
    assert store.scans == 1


def test_threads_asking_during_the_scan_wait_for_it(indexed_repo: Path) -> None:
    gate = threading.Event()
    store = CountingStore(_open(indexed_repo), gate)
    resolver = CalleeResolver(lambda: store, lambda _: None)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(len(resolver.documented_by_name())))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(10)
    assert store.scans == 1 and len(set(results)) == 1 and len(results) == 3


def test_the_pipeline_warm_up_reads_the_index(indexed_repo: Path, make_pipeline) -> None:
    pipeline = make_pipeline(indexed_repo)
    pipeline.warm_up()
    resolver = pipeline.retriever.callee_resolver
    assert resolver._names is not None and resolver._callers is not None
    names = resolver.documented_by_name()
    source = (indexed_repo / "inventory" / "models.py").read_bytes()
    from indexer.parser import parse_source

    parsed = parse_source(source, "inventory/models.py")
    symbol = next(s for s in parsed.symbols if s.kind in ("function", "method"))
    pipeline.retriever.contexts([pipeline.target("inventory/models.py", source, symbol, parsed)])
    assert resolver.documented_by_name() is names  # the first request kept what was read
