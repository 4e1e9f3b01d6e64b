"""What a model folder holds, for ``docgen model info`` (format side: no torch, no sessions).

Reads an export through :mod:`.layout` (checksums verified) or checks a Hugging Face
folder through :mod:`.source`; it loads nothing and imports neither backend nor exporter.
The ``engine`` part says which runtime path a load takes on this CPU and why
(:mod:`.choice`: the override, the cached calibration, or the flags' prior), without
calibrating.
"""

from __future__ import annotations

import os
from pathlib import Path

from assistant.engine import choice
from assistant.engine.layout import (
    DEFAULT_MODEL_DIR,
    MANIFEST_NAME,
    cache_root,
    manifest_graphs,
    read_json_object,
    verify_export,
)
from assistant.engine.source import check_hf_folder, resolve_model
from assistant.engine.types import ModelLoadError


def describe_model(model: str | os.PathLike[str] | None = None) -> dict:
    """Describe a local model folder (default: the embedded model) and the export cache.

    A hub id is described only when it was already downloaded (no network access).

    Returns:
        A JSON-ready dict: ``model``, ``status`` (``ok`` or what is wrong), ``format``,
        ``architecture``, ``files`` (MB), the export ``settings`` and ``source`` for
        exports, ``engine`` (the runtime path for this CPU: ``chosen``, ``reason``,
        ``cpu``, ``candidates``, ``measured_ms``, ``openvino`` installed or not),
        ``cache_dir`` and ``cached_exports``.
    """
    folder = Path(model).expanduser() if model is not None else DEFAULT_MODEL_DIR
    details: dict = {"model": str(folder), "default": model is None}
    try:
        details.update(_describe_folder(folder))
        details["status"] = "ok"
        details["engine"] = engine_choice(folder)
    except ModelLoadError as exc:
        details["status"] = f"unusable: {exc}"
    root = cache_root()
    details["cache_dir"] = str(root)
    details["cached_exports"] = sorted(
        p.name for p in root.glob("*") if (p / MANIFEST_NAME).is_file()
    ) if root.is_dir() else []  # fmt: skip
    return details


def _describe_folder(folder: Path) -> dict:
    if not folder.is_dir():
        raise ModelLoadError(f"{folder} does not exist or is not a folder.")
    out: dict = {}
    if (folder / MANIFEST_NAME).is_file():
        manifest = verify_export(folder)
        out["format"] = "onnx export (checksums verified)"
        out["source"] = manifest.get("source", {})
        out["settings"] = manifest.get("settings", {})
        out["graphs"] = manifest_graphs(manifest)
        config = read_json_object(folder / "config.json")
    else:
        config = check_hf_folder(folder)
        out["format"] = "huggingface (safetensors)"
    out["architecture"] = {
        key: config.get(key)
        for key in ("model_type", "d_model", "d_ff", "num_layers", "num_decoder_layers",
                    "num_heads", "vocab_size")
    }  # fmt: skip
    tok = (
        read_json_object(folder / "tokenizer_config.json")
        if (folder / "tokenizer_config.json").is_file()
        else {}
    )
    out["max_input_tokens"] = tok.get("model_max_length", 512)
    out["files"] = {
        p.name: f"{p.stat().st_size / 1e6:.1f} MB" for p in sorted(folder.iterdir()) if p.is_file()
    }
    return out


def engine_choice(folder: Path) -> dict:
    """The engine path a load of ``folder`` takes on this CPU, and why (no calibration:
    an uncached choice shows the flags' prior, and the first load measures it)."""
    source = resolve_model(folder)
    graphs: tuple[str, ...] = ("int8", "fp32")
    if source.exported:
        settings = read_json_object(folder / MANIFEST_NAME).get("settings", {})
        graphs = ("int8",) if settings.get("int8") else ("fp32",)
    try:
        picked = choice.choose(choice.model_hash(source.model_id, source.revision), graphs=graphs)
    except ValueError as exc:  # a bad DOCGEN_ENGINE_BACKEND: say so, describe the rest
        return {"chosen": None, "reason": str(exc)}
    return {**picked.describe(), "openvino": choice.openvino_installed()}
