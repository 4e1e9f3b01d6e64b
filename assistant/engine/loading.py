"""``load_generator``: one entry point from "which model" to a ready TextGenerator.

The one module that sees both sides of the engine: it picks a runtime backend and, when
an ONNX load is handed a Hugging Face model, calls the exporter first. Within ONNX it takes
the engine path :mod:`.choice` picks for this CPU (an override, a cached calibration, or a
short calibration run now: the first load of a model on a CPU with more than one
candidate). A chosen path that cannot be built falls back to ``onnx-int8`` with one log
message. Backends and the exporter are imported only when a load needs them.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from assistant.engine import choice as paths
from assistant.engine.layout import DEFAULT_MODEL_DIR, MANIFEST_NAME, read_manifest
from assistant.engine.source import ModelSource, resolve_model
from assistant.engine.types import GenerationConfig, ModelLoadError, TextGenerator
from indexer.extras import MissingExtra, require

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
    engine_backend: str | None = None,
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
        engine_backend: For ``"onnx"``: the engine path (:data:`.choice.CHOICES`:
            ``auto``, ``onnx-int8``, ``onnx-fp32``, ``openvino-bf16``, ...); None reads
            ``DOCGEN_ENGINE_BACKEND``, then ``auto`` (chosen per CPU, see :mod:`.choice`).
            ``int8=False`` without one means ``onnx-fp32``.

    Returns:
        A :class:`~assistant.engine.types.TextGenerator`.

    Raises:
        ModelLoadError: The model is missing, corrupt or cannot be exported; the message
            names the file and what to do.
        ValueError: Unknown ``backend`` or ``engine_backend``.
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
    wanted = paths.requested(engine_backend)
    if wanted == paths.AUTO and not int8 and not source.exported:
        wanted = "onnx-fp32"
    graphs = _Graphs(source, revision)
    build = _Builder(graphs, source, threads, max_input_tokens)
    picked = paths.choose(
        paths.model_hash(source.model_id, source.revision),
        wanted,
        calibrate=build.calibrate,
        graphs=graphs.kinds,
    )
    try:
        gen = build.generator(picked.chosen)
        reason = picked.reason
    except (ModelLoadError, MissingExtra, OSError, RuntimeError, ValueError) as exc:
        safe = paths.fallback(picked.candidates)
        if picked.chosen == safe:
            raise
        _log.warning("engine path %s is unavailable (%s); using %s", picked.chosen, exc, safe)
        gen = build.generator(safe)
        reason = f"{picked.reason}; fell back: {exc}"
    gen.choice = {**picked.describe(), "chosen": gen.path, "reason": reason}
    build.close(keep=gen)
    if warmup:
        gen.generate(["warm up"], GenerationConfig(max_new_tokens=2))
    return gen


class _Graphs:
    """The export folders a path may run on, exported on first need (HF sources)."""

    def __init__(self, source: ModelSource, revision: str | None) -> None:
        self.source, self.revision = source, revision
        self.folders: dict[str, Path] = {}
        self.kinds: tuple[str, ...] = ("int8", "fp32")
        if source.exported:  # a ready export: its own graphs only
            own = "int8" if read_manifest(source.folder).get("settings", {}).get("int8") else "fp32"
            self.folders = {own: source.folder}
            self.kinds = (own,)

    def folder(self, kind: str) -> Path:
        if kind not in self.kinds:
            raise ModelLoadError(
                f"{self.source.folder} is an export with {self.kinds[0]} graphs only; "
                f"give the Hugging Face model folder for {kind} paths"
            )
        if kind not in self.folders:
            from assistant.engine.export import export_model

            self.folders[kind] = export_model(
                self.source.folder, int8=kind == "int8", revision=self.revision, progress=_log.info
            )
        return self.folders[kind]


class _Builder:
    """Builds the generator of a path; times paths for calibration (keeping what it built)."""

    def __init__(self, graphs: _Graphs, source: ModelSource, threads, max_input_tokens) -> None:
        self.graphs, self.source = graphs, source
        self.threads, self.max_input_tokens = threads, max_input_tokens
        self.built: dict = {}

    def generator(self, path: str):
        if path in self.built:
            return self.built[path]
        from assistant.engine.onnx_backend import OnnxGenerator

        runtime, kind, precision = paths.PATHS[path]
        folder = self.graphs.folder(kind)
        sessions = None
        if runtime == "openvino":
            from assistant.engine.openvino_backend import OvSessions

            sessions = OvSessions(folder, self.threads, precision)
        gen = OnnxGenerator(
            folder,
            model_id=self.source.model_id,
            threads=self.threads,
            max_input_tokens=self.max_input_tokens,
            warmup=False,
            sessions=sessions,
            path=path,
        )
        self.built[path] = gen
        return gen

    def calibrate(self, path: str) -> float:
        """ms of a short greedy run (8 tokens at batch 1 and at batch 8; best of two)."""
        gen = self.generator(path)
        config = GenerationConfig(max_new_tokens=8, min_new_tokens=8)
        text = " ".join(f"def get_{i}(path, value): return path.value[{i}]" for i in range(8))
        total = 0.0
        for batch in (1, 8):
            prompts = [text] * batch
            gen.generate(prompts, config)
            best = float("inf")
            for _ in range(2):
                start = time.perf_counter()
                gen.generate(prompts, config)
                best = min(best, time.perf_counter() - start)
            total += best * 1000
        return total

    def close(self, keep) -> None:
        """Drop every generator but ``keep`` (frees the other paths' sessions)."""
        self.built = {p: g for p, g in self.built.items() if g is keep}


def _default_model() -> Path:
    folder = DEFAULT_MODEL_DIR
    if (folder / MANIFEST_NAME).is_file() or (folder / "config.json").is_file():
        return folder
    raise ModelLoadError(
        f"The embedded default model is missing: {folder} has no {MANIFEST_NAME} or "
        "config.json. Reinstall docgen, or pass a model folder or hub id "
        "(e.g. --model Salesforce/codet5-base-multi-sum)."
    )
