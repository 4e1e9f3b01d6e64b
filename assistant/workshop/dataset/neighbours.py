"""Fill the ``similar`` evidence of a built dataset with all-MiniLM-L6-v2 neighbours.

Run time retrieves similar symbols with :class:`indexer.embed.Embedder`; the dataset
does the same over ``embedding_text`` (stored as ``etext``). On a 2-core machine that is
hours for 150k symbols, so the same model can also run on a GPU machine that lacks
sentence-transformers: :mod:`assistant.workshop.dataset.minilm_pack` packs the shipped weights
(int8 per-row, about 23 MB) and :class:`PackedMiniLM` reproduces sentence-transformers'
pipeline for this model (BERT, mean pooling over the attention mask, L2 normalisation);
``tests/assistant/workshop/test_dataset.py`` checks its vectors against ``Embedder``'s.

Usage: ``python -m assistant.workshop.dataset.neighbours IN OUT [--minilm DIR] [--device cuda]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.workshop.dataset.evidence import neighbour_ids
from assistant.workshop.dataset.jsonl import read_jsonl, write_jsonl

Encode = Callable[[list[str]], np.ndarray]


def fill_similar(records: list[dict[str, Any]], encode: Encode, say=print) -> None:
    """Embed every record's ``etext`` and set ``similar``/``callees`` per package in place."""
    started = time.monotonic()
    order = sorted(range(len(records)), key=lambda i: len(records[i]["etext"]))
    vectors = np.zeros((len(records), 0), dtype=np.float32)
    chunk = 4096
    parts = []
    for start in range(0, len(order), chunk):
        idx = order[start : start + chunk]
        parts.append((idx, encode([records[i]["etext"] for i in idx])))
        say(
            f"embedded {min(start + chunk, len(order))}/{len(order)} "
            f"({time.monotonic() - started:.0f} s)"
        )
    dim = parts[0][1].shape[1] if parts else 0
    vectors = np.zeros((len(records), dim), dtype=np.float32)
    for idx, vec in parts:
        vectors[idx] = vec
    packages: dict[str, list[int]] = {}
    for i, record in enumerate(records):
        packages.setdefault(record["package"], []).append(i)
    for rows in packages.values():
        neighbour_ids([records[i] for i in rows], vectors[rows])


class PackedMiniLM:
    """all-MiniLM-L6-v2 from a packed folder, on any torch device.

    Args:
        folder: Output of :func:`assistant.workshop.dataset.minilm_pack.pack`.
        device: ``cpu`` or ``cuda``.
        batch_size: Texts per forward pass.
        max_length: Token limit (``indexer.embed.MAX_SEQ_LENGTH``).
    """

    def __init__(
        self, folder: Path, device: str = "cpu", batch_size: int = 256, max_length: int = 256
    ):
        from assistant.workshop.dataset.minilm_pack import load_packed

        self.model, self.tokenizer = load_packed(Path(folder), device)
        self.device = device
        self.batch_size = batch_size
        self.max_length = max_length

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return L2-normalised float32 embeddings of ``texts``."""
        import torch

        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                batch = self.tokenizer(
                    texts[start : start + self.batch_size],
                    max_length=self.max_length,
                    truncation=True,
                    padding=True,
                    return_tensors="pt",
                ).to(self.device)
                hidden = self.model(**batch).last_hidden_state.float()
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out.append(pooled.cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (no click: it runs on bare GPU machines too)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("examples", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--minilm", type=Path, default=None, help="packed MiniLM folder")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    records = list(read_jsonl(args.examples))
    if args.minilm is not None:
        encode = PackedMiniLM(args.minilm, args.device).encode
    else:
        from indexer.embed import Embedder

        encode = Embedder().encode
    fill_similar(records, encode)
    write_jsonl(args.out, records)
    print(f"wrote {len(records)} examples with neighbours to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
