"""A torch-free encoder for sentence-transformers models exported to ONNX.

It runs the same steps as sentence-transformers' ONNX backend (the model's own
``tokenizer.json`` via the tokenizers library, a runtime for the transformer, then the
folder's pooling and normalisation), without importing torch or transformers: a fresh
process starts in a fraction of a second and the language server stays ~450 MB smaller.
Parity with the PyTorch reference is tested in ``tests/indexer/test_embed_store.py``.
Folders it cannot handle (no ``tokenizer.json``, pooling other than mean/CLS) make
:func:`load` return ``None``, and the caller uses sentence-transformers instead.

The transformer runs on ONNX Runtime (:class:`OrtRunner`) or, with the ``[openvino]``
extra, on OpenVINO (:mod:`indexer.openvino_embed`). Either way each forward pass uses one
thread and up to ``workers`` length-sorted batches run at once (the runtimes release the
GIL): on two cores that gives more texts per CPU-second than one pass split over two
threads, whose threads wait for each other (and spin while they wait) at every operator
(BENCHMARKS.md, ``## Shipped embedder``).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

Runner = Callable[[dict[str, np.ndarray]], np.ndarray]
"""Runs the transformer on one padded batch: the feed (``input_ids``, ``attention_mask``,
``token_type_ids``) in, the token states ``(batch, tokens, dim)`` out. Safe to call from
several threads at once."""


def default_workers() -> int:
    """Batches run at once: the CPUs this process may use, at most 4 (the encoder is
    memory-bound beyond that on typical machines, and callers run other threads too)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


class OrtRunner:
    """One ONNX Runtime session, one intra-op thread per run, no spinning.

    Args:
        path: The ONNX file.
        threads: Intra-op threads per run (1: parallelism comes from concurrent runs).
        spin: Let idle intra-op threads spin (ONNX Runtime's default; benchmarks only).
    """

    def __init__(self, path: Path, threads: int = 1, spin: bool = False) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # threads that spin between operators burn the other workers' CPU time
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.input_names = {item.name for item in self.session.get_inputs()}
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    def __call__(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        wanted = {k: v for k, v in feed.items() if k in self.input_names}
        return self.session.run(None, wanted)[0]


class OnnxSentenceEncoder:
    """Tokenize, run the transformer, pool, L2-normalise (as :class:`Embedder` promises).

    Args:
        folder: A sentence-transformers folder holding ``tokenizer.json`` and ``onnx/``.
        model_file: The ONNX file relative to ``folder``.
        pooling: ``mean`` or ``cls``.
        max_seq_length: Tokens per text (longer texts are truncated).
        runner: Runs the transformer (default: :class:`OrtRunner` on ``model_file``).
        workers: Batches run at once (default: :func:`default_workers`).
    """

    def __init__(
        self,
        folder: Path,
        model_file: str,
        pooling: str,
        max_seq_length: int,
        runner: Runner | None = None,
        workers: int | None = None,
    ) -> None:
        from tokenizers import Tokenizer

        self.max_seq_length = max_seq_length
        self.pooling = pooling
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        self.tokenizer.no_padding()
        if runner is None:
            runner = OrtRunner(folder / model_file)
        self.runner = runner
        self.dim = int(getattr(runner, "dim", 0)) or 384
        self.workers = workers or default_workers()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def get_embedding_dimension(self) -> int:
        """Width of the vectors."""
        return self.dim

    def encode(self, texts: list[str], batch_size: int = 32, **_: object) -> np.ndarray:
        """Return an ``(n, dim)`` float32 array, in the order of ``texts``.

        Texts are batched by length (less padding), and batches run ``workers`` at a time;
        extra keyword arguments of sentence-transformers' ``encode`` are accepted and
        ignored.
        """
        output = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return output
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        chunks = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]

        def run(chunk: list[int]) -> None:
            output[chunk] = self._run([encodings[i] for i in chunk])

        if len(chunks) == 1 or self.workers == 1:
            for chunk in chunks:
                run(chunk)
        else:
            # longest batches first, so the last one to finish is a short one
            list(self._executor().map(run, reversed(chunks)))
        return output

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="docgen-embed")
            return self._pool

    def _run(self, encodings) -> np.ndarray:
        width = max(len(item.ids) for item in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, item in enumerate(encodings):
            size = len(item.ids)
            ids[row, :size] = item.ids
            mask[row, :size] = 1
            types[row, :size] = item.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        states = np.asarray(self.runner(feed), dtype=np.float32)
        if self.pooling == "cls":
            pooled = states[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def load(
    folder: Path,
    model_file: str,
    max_seq_length: int,
    runner_factory: Callable[[Path], Runner] | None = None,
    workers: int | None = None,
) -> OnnxSentenceEncoder | None:
    """Return an encoder for an exported folder, or ``None`` when it needs
    sentence-transformers (missing pieces, other pooling, extra modules).

    Args:
        folder: The model folder.
        model_file: The ONNX file relative to ``folder``.
        max_seq_length: Tokens per text.
        runner_factory: Builds the runner from the ONNX file's path (default:
            :class:`OrtRunner`); its errors propagate.
        workers: Batches run at once.
    """
    try:
        modules = json.loads((folder / "modules.json").read_text("utf-8"))
        kinds = [module["type"].rsplit(".", 1)[-1] for module in modules]
        if kinds[:2] != ["Transformer", "Pooling"] or any(
            kind != "Normalize" for kind in kinds[2:]
        ):
            return None
        pooling = _pooling(json.loads((folder / modules[1]["path"] / "config.json").read_text()))
        if pooling is None or not (folder / "tokenizer.json").is_file():
            return None
    except (OSError, ValueError, KeyError, IndexError):
        return None
    runner = (runner_factory or OrtRunner)(folder / model_file)
    return OnnxSentenceEncoder(folder, model_file, pooling, max_seq_length, runner, workers)


def _pooling(config: dict) -> str | None:
    mode = config.get("pooling_mode")
    if mode is None:
        flags = [key for key, value in config.items() if key.startswith("pooling_mode_") and value]
        mode = (
            {
                "pooling_mode_mean_tokens": "mean",
                "pooling_mode_cls_token": "cls",
            }.get(flags[0])
            if len(flags) == 1
            else None
        )
    return mode if mode in ("mean", "cls") else None
