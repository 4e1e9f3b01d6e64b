"""``load_generator``: one entry point from "which model" to a ready TextGenerator.

The one module that sees both sides of the engine: it picks a runtime backend and, when
an ONNX load is handed a Hugging Face model, calls the exporter first. Backends and the
exporter are imported only when a load needs them, so this module stays cheap.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from assistant.engine.layout import DEFAULT_MODEL_DIR, MANIFEST_NAME
from assistant.engine.source import resolve_model
from assistant.engine.types import ModelLoadError, TextGenerator
from indexer.extras import require

BACKENDS = ("onnx", "pytorch")

_log = logging.getLogger("assistant.engine")


def load_generator(
    model: str | os.PathLike[str] | None = None,
    backend: str = "onnx",
    int8: bool = True,
    threads: int | None = None,
    *,
    max_input_tokens: int | None = None,
    revision: str | None = None,
    warmup: bool = True,
) -> TextGenerator:
    """Load a T5 and return a generator ready to take prompts.

    Args:
        model: A Hugging Face format folder, a hub id, or a folder exported by
            :func:`assistant.engine.export_model`; None means the embedded default model
            (:data:`DEFAULT_MODEL_DIR`).
        backend: ``"onnx"`` (production: exported, optionally int8, cached) or
            ``"pytorch"`` (the reference, via transformers).
        int8: For ``"onnx"`` from a Hugging Face model: quantize the export to int8.
            Ignored for a ready export (its own settings apply) and for ``"pytorch"``.
        threads: Intra-op threads (None: all cores).
        max_input_tokens: Truncation length; longer prompts keep their head.
        revision: Hub revision for hub ids.
        warmup: Run one tiny generation at load (ONNX) so the first request is fast.
            A first ONNX load of a Hugging Face model exports it (a minute for a small
            T5); its stages are logged at INFO on the ``assistant.engine`` logger.

    Returns:
        A :class:`~assistant.engine.types.TextGenerator`.

    Raises:
        ModelLoadError: The model is missing, corrupt or cannot be exported; the message
            names the file and what to do.
        ValueError: Unknown ``backend``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if model is None:
        model = _default_model()
    source = resolve_model(model, revision)
    if backend == "pytorch":
        for module in ("torch", "transformers"):
            require(module, "the PyTorch backend (--backend pytorch)", "torch")
        from assistant.engine.torch_backend import TorchGenerator

        return TorchGenerator(source, threads=threads, max_input_tokens=max_input_tokens)
    from assistant.engine.onnx_backend import OnnxGenerator

    folder = source.folder
    if not source.exported:
        from assistant.engine.export import export_model

        folder = export_model(source.folder, int8=int8, revision=revision, progress=_log.info)
    return OnnxGenerator(
        folder,
        model_id=source.model_id,
        threads=threads,
        max_input_tokens=max_input_tokens,
        warmup=warmup,
    )


def _default_model() -> Path:
    folder = DEFAULT_MODEL_DIR
    if (folder / MANIFEST_NAME).is_file() or (folder / "config.json").is_file():
        return folder
    raise ModelLoadError(
        f"The embedded default model is missing: {folder} has no {MANIFEST_NAME} or "
        "config.json. Reinstall docgen, or pass a model folder or hub id "
        "(e.g. --model Salesforce/codet5-base-multi-sum)."
    )
