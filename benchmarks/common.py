"""Helpers the benchmark scripts share: the machine line, work folders, the T5 work model.

Every script in this folder runs as ``python benchmarks/NAME.py`` (the script's folder is
then on ``sys.path``, so ``from common import ...`` needs no path tricks) against an
installed docgen, through public APIs only.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

# The T5 work model: CodeT5-small's shape with random weights (weights do not change speed)
INPUT_TOKENS = 256
NEW_TOKENS = 32
SHAPE = dict(d_model=512, d_ff=2048, num_layers=6, num_heads=8, model_vocab_size=32100)


def machine() -> str:
    """One line naming the processor and its core count, for every benchmark's report."""
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def work_dir(name: str) -> Path:
    """A benchmark's reusable work folder: ``$DOCGEN_CACHE_DIR/bench/NAME`` or the user cache."""
    from platformdirs import user_cache_dir

    root = os.environ.get("DOCGEN_CACHE_DIR") or user_cache_dir("docgen", appauthor=False)
    return Path(root) / "bench" / name


def logger(prefix: str):
    """Return ``log(message)`` printing ``[prefix] message`` to stderr at once."""

    def log(message: str) -> None:
        print(f"[{prefix}] {message}", file=sys.stderr, flush=True)

    return log


_log = logger("t5-work-model")


def t5_work_model(backends=()) -> dict[str, Path]:
    """Build (once) the T5 work model, our fp32 and int8 exports and the CTranslate2
    conversion (and the optimum-graphs int8 export when ``onnx_int8_optimum_graphs`` is in
    ``backends``); return their folders by name (``hf``, ``onnx_fp32``, ``onnx_int8``, ``ct2``)."""
    from assistant.engine import export_model
    from assistant.engine.testing import build_tiny_t5

    work = work_dir("codet5-small-shape")
    hf = work / "hf"
    if not (hf / "model.safetensors").is_file():
        build_tiny_t5(hf, init_factor=1.0, **SHAPE)
    paths = {"hf": hf}
    paths["onnx_fp32"] = export_model(hf, int8=False, progress=_log)
    paths["onnx_int8"] = export_model(hf, int8=True, progress=_log)
    ct2 = work / "ct2-int8"
    if not (ct2 / "model.bin").is_file():
        _log("converting to CTranslate2 int8")
        from ctranslate2.converters import TransformersConverter

        TransformersConverter(str(hf)).convert(str(ct2), quantization="int8", force=True)
    paths["ct2"] = ct2
    if "onnx_int8_optimum_graphs" in backends:
        paths["onnx_int8_optimum_graphs"] = optimum_graphs_export(hf)
    return paths


def optimum_graphs_export(hf: Path) -> Path:
    """The int8 export of ``hf`` with optimum's encoder and decoder-with-past graphs."""
    from assistant.engine import export_model

    os.environ["DOCGEN_EXPORT_GRAPHS"] = "optimum"
    try:
        return export_model(hf, int8=True, progress=_log)
    finally:
        del os.environ["DOCGEN_EXPORT_GRAPHS"]


def make_inputs(batch: int, vocab: int, seed: int = 0):
    """Random token ids (no padding, EOS last) of shape ``(batch, INPUT_TOKENS)``."""
    import numpy as np

    rng = np.random.default_rng(seed + batch)
    ids = rng.integers(3, vocab, size=(batch, INPUT_TOKENS), dtype=np.int64)
    ids[:, -1] = 1
    return ids, np.ones_like(ids)
