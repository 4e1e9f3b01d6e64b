"""Export a T5 to ONNX, quantize it, cache the result (exporter side: ``export_model``).

The output folder is self-contained (ONNX files, tokenizer, config, manifest with
sha256 checksums, in the format of :mod:`.layout`) so it can be shipped, copied or loaded
without torch. Exports land in the user cache dir keyed by model id, revision and
settings; a folder whose files do not match their checksums is rebuilt, never loaded.
Everything is written to a temporary folder first and renamed into place, so a killed
export leaves nothing half-written. The steps themselves live in :mod:`.onnx_tools`;
no backend is imported here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant.engine.codec import fast_tokenizer_folder
from assistant.engine.layout import (
    COPIED_FILES,
    FORMAT_VERSION,
    MANIFEST_NAME,
    ONNX_PARTS,
    cache_folder,
    read_manifest,
    tokenizer_cache,
    verify_export,
    write_manifest,
)
from assistant.engine.onnx_tools import export_onnx, quantize_onnx
from assistant.engine.source import ModelSource, resolve_model
from assistant.engine.types import ModelLoadError
from indexer.extras import require

ExportLog = Callable[[str], None]
"""Told a short message before each stage of an export (e.g. a logger's ``info``)."""


def export_settings(int8: bool) -> dict:
    """The settings that change an export's files (part of its cache key).

    ``DOCGEN_EXPORT_GRAPHS=optimum`` exports optimum's graphs instead of our hand-built
    ones (for A/B measurements, or as a way out should a model's hand-built graphs
    misbehave).
    """
    settings = {"format": FORMAT_VERSION, "int8": bool(int8)}
    if os.environ.get("DOCGEN_EXPORT_GRAPHS") == "optimum":
        settings["graphs"] = "optimum"
    return settings


def export_model(
    model: str | os.PathLike[str],
    out_dir: Path | None = None,
    int8: bool = True,
    *,
    revision: str | None = None,
    force: bool = False,
    progress: ExportLog | None = None,
) -> Path:
    """Export ``model`` to ONNX and return the folder of the (cached) export.

    Args:
        model: Hugging Face format folder or hub id (an existing export of ours is
            verified and returned as is).
        out_dir: Where to write; default a folder in :func:`.layout.cache_root` named
            after the model and keyed by its revision and the settings.
        int8: Quantize weights to int8 (dynamic quantization of every MatMul, the
            lm_head included). onnxruntime's graph optimizations (constant folding,
            RMS-norm and MatMul fusions, DynamicQuantizeMatMul) run when the sessions
            are created (``ORT_ENABLE_ALL``), for the CPU they run on; its T5 attention
            fusions were measured and did not pay on CPU (BENCHMARKS.md).
        revision: Hub revision (hub ids only).
        force: Rebuild even when a valid export exists.
        progress: Called with a short message before each stage.

    Returns:
        The export folder (ONNX files, tokenizer, config, manifest).

    Raises:
        ModelLoadError: The model cannot be found or read, or the export failed.
    """
    say = progress or (lambda _msg: None)
    source = resolve_model(model, revision)
    if source.exported:
        verify_export(source.folder)
        return source.folder
    settings = export_settings(int8)
    target = (
        Path(out_dir)
        if out_dir is not None
        else cache_folder(source.model_id, source.revision, settings)
    )
    if not force and _is_valid_export(target, source, settings):
        return target
    if target.exists() and not (target / MANIFEST_NAME).is_file():
        if not target.is_dir() or any(target.iterdir()):
            raise ModelLoadError(
                f"{target} exists and is not an export of ours; it is left untouched. "
                "Choose an empty or new output folder."
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    if out_dir is None:
        prune_cache(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        _build(source, tmp, settings, say)
        _replace_folder(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"export ready: {target}")
    return target


def prune_cache(root: Path, stale_after_s: float = 3600.0) -> list[Path]:
    """Delete cache entries nothing can load any more; return what was removed.

    That is: exports of a local folder that no longer exists (the cache is keyed by the
    folder, so they are unreachable) and temporary folders of exports killed more than
    ``stale_after_s`` ago. Exports of hub ids and of existing folders are kept.
    """
    removed = []
    now = time.time()
    for entry in root.iterdir() if root.is_dir() else []:
        if not entry.is_dir():
            continue
        if entry.name.startswith("."):  # .NAME.*.partial / .NAME.old-*: interrupted work
            if now - entry.stat().st_mtime > stale_after_s:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
            continue
        try:
            model_id = read_manifest(entry).get("source", {}).get("model_id", "")
        except ModelLoadError:
            continue  # not ours to judge; a rebuild replaces it when asked for
        if isinstance(model_id, str) and model_id.startswith("/") and not Path(model_id).exists():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _is_valid_export(target: Path, source: ModelSource, settings: dict) -> bool:
    if not (target / MANIFEST_NAME).is_file():
        return False
    try:
        manifest = verify_export(target)
    except ModelLoadError:
        return False
    return (
        manifest.get("settings") == settings
        and manifest.get("source", {}).get("revision") == source.revision
    )


def _replace_folder(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``; an old ``target`` is removed only after the move."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.time_ns()}")
        os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        if old is not None and not target.exists():
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _build(source: ModelSource, out: Path, settings: dict, say: ExportLog) -> None:
    """Export, optimise, quantize into ``out`` and write the manifest last."""
    raw = out / "fp32"
    for module in ("torch", "transformers", "onnx"):
        require(module, f"exporting {source.model_id} to ONNX", "export")
    say(f"exporting {source.model_id} to ONNX")
    graphs = export_onnx(source, raw, hand_built=settings.get("graphs") != "optimum")
    for part, name in ONNX_PARTS.items():
        current = raw / name
        if settings["int8"]:
            say(f"quantizing {part} to int8")
            current = quantize_onnx(current, raw / f"q-{name}")
        os.replace(current, out / name)
    shutil.rmtree(raw)
    _copy_tokenizer(source, out)
    write_manifest(
        out,
        model_id=source.model_id,
        revision=source.revision,
        settings=settings,
        graphs=graphs,
    )


def _copy_tokenizer(source: ModelSource, out: Path) -> None:
    """Copy config and tokenizer files; convert a slow tokenizer to ``tokenizer.json``."""
    for name in COPIED_FILES:
        if (source.folder / name).is_file():
            shutil.copy2(source.folder / name, out / name)
    if not (out / "tokenizer.json").is_file():
        fast = fast_tokenizer_folder(source.folder, tokenizer_cache())
        for name in COPIED_FILES[2:]:
            if (fast / name).is_file():
                shutil.copy2(fast / name, out / name)
