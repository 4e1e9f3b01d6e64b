"""A torch-free encoder for sentence-transformers models exported to ONNX.

It runs the same steps as sentence-transformers' ONNX backend (the model's own
``tokenizer.json`` via the tokenizers library, ONNX Runtime for the transformer, then the
folder's pooling and normalisation), without importing torch or transformers: a fresh
process starts in a fraction of a second and the language server stays ~450 MB smaller.
Parity with the PyTorch reference is tested in ``tests/indexer/test_embed_store.py``.
Folders it cannot handle (no ``tokenizer.json``, pooling other than mean/CLS) make
:func:`load` return ``None``, and the caller uses sentence-transformers instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


class OnnxSentenceEncoder:
    """Tokenize, run the ONNX transformer, pool, L2-normalise (as :class:`Embedder` promises).

    Args:
        folder: A sentence-transformers folder holding ``tokenizer.json`` and ``onnx/``.
        model_file: The ONNX file relative to ``folder``.
        pooling: ``mean`` or ``cls``.
        max_seq_length: Tokens per text (longer texts are truncated).
    """

    def __init__(self, folder: Path, model_file: str, pooling: str, max_seq_length: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.max_seq_length = max_seq_length
        self.pooling = pooling
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        self.tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(folder / model_file), options, providers=["CPUExecutionProvider"]
        )
        self.input_names = {item.name for item in self.session.get_inputs()}
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    def get_embedding_dimension(self) -> int:
        """Width of the vectors."""
        return self.dim

    def encode(self, texts: list[str], batch_size: int = 32, **_: object) -> np.ndarray:
        """Return an ``(n, dim)`` float32 array, in the order of ``texts``.

        Texts are batched by length (less padding); extra keyword arguments of
        sentence-transformers' ``encode`` are accepted and ignored.
        """
        output = np.zeros((len(texts), self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            output[chunk] = self._run([encodings[i] for i in chunk])
        return output

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
        hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self.input_names})
        states = hidden[0].astype(np.float32)
        if self.pooling == "cls":
            pooled = states[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def load(folder: Path, model_file: str, max_seq_length: int) -> OnnxSentenceEncoder | None:
    """Return an encoder for an exported folder, or ``None`` when it needs
    sentence-transformers (missing pieces, other pooling, extra modules)."""
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
        return OnnxSentenceEncoder(folder, model_file, pooling, max_seq_length)
    except (OSError, ValueError, KeyError, IndexError):
        return None


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
