"""Training batches: prompts built with :mod:`assistant.prompt`, tokenized on the fly.

Each time an example is drawn, its evidence situation (in-repo, no retrieval, cold) is
drawn too (:func:`assistant.workshop.dataset.evidence.sample_mode`), so one record teaches both
situations. Batches are built from length-sorted pools to limit padding, in a background
thread (the fast tokenizer releases the GIL).
"""

from __future__ import annotations

import queue
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.prompt import DEFAULT_MAX_CHARS, build_prompt, normalize_space
from assistant.workshop.dataset.evidence import evidence_for, sample_mode
from assistant.workshop.dataset.harvest import MAX_CODE_CHARS
from assistant.workshop.dataset.jsonl import read_jsonl

PAD_ID = 0
POOL_BATCHES = 32
"""Batches drawn at once, sorted by length and cut into batches (less padding)."""


def load_examples(path: Path) -> list[dict[str, Any]]:
    """Read the examples file and derive each record's prompt ``code`` from ``raw_code``."""
    records = list(read_jsonl(Path(path)))
    for record in records:
        if "code" not in record:
            record["code"] = normalize_space(record["raw_code"])[:MAX_CODE_CHARS]
    return records


def apply_similar(records: list[dict[str, Any]], path: Path) -> None:
    """Fill ``similar``/``callees`` from a neighbour-id file (``train.py --similar-out``),
    leaving out neighbours of another kind than the record's."""
    import json
    import lzma

    from assistant.borrowing import kinds_can_share

    with lzma.open(path, "rt", encoding="utf-8") as fh:
        known = json.load(fh)
    kinds = {str(r["id"]): r.get("kind") for r in records}
    for record in records:
        if str(record["id"]) in known:
            similar, record["callees"] = known[str(record["id"])]
            # as run-time retrieval: neighbours of another kind lend nothing (files written
            # before that rule hold them; fewer than k are left then)
            record["similar"] = [
                i
                for i in similar
                if kinds.get(str(i)) is None or kinds_can_share(record["kind"], kinds[str(i)])
            ]


def prompt_for(record: dict[str, Any], by_id: dict[int, dict], mode: str) -> str:
    """Build the model input of a record in an evidence situation."""
    return build_prompt(record["code"], evidence_for(record, by_id, mode), DEFAULT_MAX_CHARS)


def load_tokenizer(folder: Path):
    """Load ``tokenizer.json`` with the ``tokenizers`` library itself.

    Training uses the raw tokenizer rather than a transformers class so that every
    transformers version (4.x here, 5.x on GPU machines) tokenizes identically.
    """
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))


def _pad(rows: list[list[int]], value: int):
    import torch

    width = max(len(r) for r in rows)
    out = torch.full((len(rows), width), value, dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, : len(row)] = torch.tensor(row, dtype=torch.long)
    return out


def encode_batch(
    tokenizer, prompts: list[str], targets: list[str], max_input: int, max_target: int
):
    """Return ``input_ids``, ``attention_mask`` and ``labels`` (-100 padded) tensors.

    Sequences are cut to the limit keeping their final ``</s>``.
    """
    eos = tokenizer.token_to_id("</s>")
    inputs = [
        e.ids[: max_input - 1] + [eos] if len(e.ids) > max_input else e.ids
        for e in tokenizer.encode_batch(prompts)
    ]
    labels = [
        e.ids[: max_target - 1] + [eos] if len(e.ids) > max_target else e.ids
        for e in tokenizer.encode_batch(targets)
    ]
    input_ids = _pad(inputs, PAD_ID)
    return {
        "input_ids": input_ids,
        "attention_mask": (input_ids != PAD_ID).long(),
        "labels": _pad(labels, -100),
    }


class BatchStream:
    """An endless stream of tokenized training batches.

    Args:
        records: Training records.
        by_id: All records by id (evidence lookup).
        tokenizer: The T5 tokenizer.
        batch_size: Examples per batch.
        max_input: Input token limit (truncation).
        max_target: Target token limit.
        seed: Shuffling seed.
        cold_share: Share of examples shown without evidence.
        start_epoch: Epoch to start from (resume).
    """

    def __init__(
        self,
        records: list[dict[str, Any]],
        by_id: dict[int, dict[str, Any]],
        tokenizer,
        batch_size: int,
        max_input: int = 512,
        max_target: int = 64,
        seed: int = 0,
        cold_share: float = 0.3,
        start_epoch: int = 0,
    ) -> None:
        self.records = records
        self.by_id = by_id
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_input = max_input
        self.max_target = max_target
        self.seed = seed
        self.cold_share = cold_share
        self.epoch = start_epoch

    def encode(self, prompts: list[str], targets: list[str]) -> dict[str, Any]:
        """Tokenize prompts and targets into padded tensors (labels padded with -100)."""
        return encode_batch(self.tokenizer, prompts, targets, self.max_input, self.max_target)

    def _epoch_batches(self) -> Iterator[dict[str, Any]]:
        rng = random.Random(self.seed * 1_000_003 + self.epoch)
        order = list(range(len(self.records)))
        rng.shuffle(order)
        pool = self.batch_size * POOL_BATCHES
        shard, shards = _worker_shard()
        for number, start in enumerate(range(0, len(order), pool)):
            if number % shards != shard:
                continue
            rng = random.Random(self.seed * 1_000_003 + self.epoch * 7919 + number)
            items = []
            for index in order[start : start + pool]:
                record = self.records[index]
                mode = sample_mode(rng, bool(record.get("similar")), self.cold_share)
                items.append((prompt_for(record, self.by_id, mode), record["summary"]))
            items.sort(key=lambda item: len(item[0]))
            chunks = [items[i : i + self.batch_size] for i in range(0, len(items), self.batch_size)]
            rng.shuffle(chunks)
            for chunk in chunks:
                if len(chunk) < self.batch_size // 2:
                    continue
                yield self.encode([c[0] for c in chunk], [c[1] for c in chunk])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while True:
            yield from self._epoch_batches()
            self.epoch += 1


def _worker_shard() -> tuple[int, int]:
    """Return ``(worker id, worker count)`` inside a DataLoader worker, else ``(0, 1)``."""
    try:
        from torch.utils.data import get_worker_info
    except ImportError:  # pragma: no cover
        return 0, 1
    info = get_worker_info()
    return (info.id, info.num_workers) if info is not None else (0, 1)


def worker_batches(stream: BatchStream, workers: int) -> Iterator[dict[str, Any]]:
    """Produce ``stream``'s batches in ``workers`` processes (each takes every n-th pool)."""
    if workers <= 0:
        yield from background(iter(stream), depth=64)
        return
    import torch
    from torch.utils.data import DataLoader, IterableDataset

    class _Batches(IterableDataset):
        def __iter__(self):
            return iter(stream)

    loader = DataLoader(
        _Batches(),
        batch_size=None,
        num_workers=workers,
        prefetch_factor=8,
        pin_memory=torch.cuda.is_available(),
        persistent_workers=False,
    )
    yield from loader


def background(iterable, depth: int = 8) -> Iterator[Any]:
    """Iterate ``iterable`` in a daemon thread, ``depth`` items ahead."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    sentinel = object()

    def work() -> None:
        try:
            for item in iterable:
                q.put(item)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the consumer
            q.put(exc)
        q.put(sentinel)

    threading.Thread(target=work, daemon=True).start()
    while True:
        item = q.get()
        if item is sentinel:
            return
        if isinstance(item, BaseException):
            raise item
        yield item
