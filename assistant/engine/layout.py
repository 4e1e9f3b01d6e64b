"""The export-folder format (format layer): file names, versions, manifest, checksums, caches.

An export of ours is a self-contained folder: the three ONNX graphs named in
:data:`ONNX_PARTS`, the config and tokenizer files in :data:`COPIED_FILES`, and a manifest
(:data:`MANIFEST_NAME`) holding the format version, the export settings and the sha256 of
every file. The exporter (:mod:`.export`) writes that folder with :func:`write_manifest`
last; the runtime (:mod:`.onnx_backend`) reads it after :func:`verify_export`. Both sides
import this module and nothing of each other, so the format has one home. Nothing here
imports torch, transformers or onnxruntime.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from assistant.engine.types import ModelLoadError

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "docgen-t5"
"""The embedded default model shipped inside the package (an export or an HF folder)."""

MANIFEST_NAME = "docgen-onnx.json"
"""Manifest written by our exporter: format version, settings, sha256 of every file."""

FORMAT_VERSION = 2
"""Bump when the exported files change: old cache entries are then rebuilt.

2: the three graphs are our hand-built ones (:mod:`.t5_graph`, fused attention) where the
model allows, with optimum's inputs and outputs; the manifest's ``graphs`` says which."""
READABLE_FORMATS = (1, 2)
"""Formats this version loads (1: all three graphs from optimum, e.g. older shipped models)."""

ONNX_PARTS = {
    "encoder": "encoder_model.onnx",
    "decoder": "decoder_model.onnx",
    "decoder_with_past": "decoder_with_past_model.onnx",
}
"""The three graphs of an export: part name -> file name (optimum's names)."""

COPIED_FILES = (
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)
"""Files copied from the source model; from the third on, the tokenizer's."""


def cache_root() -> Path:
    """Folder of cached exports: ``$DOCGEN_CACHE_DIR/onnx`` or the platform user cache."""
    override = os.environ.get("DOCGEN_CACHE_DIR")
    if override:
        return Path(override) / "onnx"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("docgen", appauthor=False)) / "onnx"


def tokenizer_cache() -> Path:
    """Where slow tokenizers converted to ``tokenizer.json`` are kept."""
    return cache_root().parent / "tokenizers"


def cache_folder(model_id: str, revision: str, settings: dict) -> Path:
    """The folder in :func:`cache_root` for an export of ``model_id`` at ``revision``.

    Named after the model (readable) and keyed by a hash of model, revision and settings.
    """
    key = hashlib.sha256(
        json.dumps([model_id, revision, settings], sort_keys=True).encode()
    ).hexdigest()[:16]
    name = "".join(c if c.isalnum() or c in "-_." else "-" for c in model_id)
    return cache_root() / f"{name.strip('-.')[-60:]}-{key}"


def read_json_object(path: Path) -> dict:
    """Parse a model folder's JSON file (config, manifest) that must hold an object.

    Raises:
        ModelLoadError: The file cannot be read or is not a JSON object.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(
            f"{path} cannot be read ({exc}). Restore it from the original model."
        ) from exc
    if not isinstance(data, dict):
        raise ModelLoadError(f"{path} is not a JSON object. Restore it from the original model.")
    return data


def read_manifest(folder: Path) -> dict:
    """Return the parsed manifest of an exported folder (see :data:`MANIFEST_NAME`)."""
    return read_json_object(folder / MANIFEST_NAME)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Return the hex sha256 of a file's content."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def verify_export(folder: Path) -> dict:
    """Check an export's manifest and every file's size and sha256; return the manifest.

    Raises:
        ModelLoadError: Naming the missing or corrupt file; re-export to fix it.
    """
    fix = "Re-export it with `docgen model export MODEL` (or delete the folder)."
    manifest = read_manifest(folder)
    if manifest.get("settings", {}).get("format") not in READABLE_FORMATS:
        raise ModelLoadError(
            f"{folder / MANIFEST_NAME} has export format "
            f"{manifest.get('settings', {}).get('format')!r}, expected one of "
            f"{READABLE_FORMATS}. {fix}"
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise ModelLoadError(f"{folder / MANIFEST_NAME} lists no files. {fix}")
    for name, meta in files.items():
        path = folder / name
        if not path.is_file():
            raise ModelLoadError(f"{path} is missing from the export. {fix}")
        if path.stat().st_size != meta.get("size") or sha256_file(path) != meta.get("sha256"):
            raise ModelLoadError(f"{path} is corrupt (checksum mismatch). {fix}")
    return manifest


def manifest_graphs(manifest: dict) -> dict[str, str]:
    """Which builder wrote each graph (``"docgen"`` or ``"optimum"``; format 1: optimum)."""
    return manifest.get("graphs", dict.fromkeys(ONNX_PARTS, "optimum"))


def write_manifest(
    folder: Path, *, model_id: str, revision: str, settings: dict, graphs: dict[str, str]
) -> None:
    """Write the manifest of a finished export: every other file in ``folder`` is listed
    with its size and sha256, so write it last."""
    files = {
        p.name: {"sha256": sha256_file(p), "size": p.stat().st_size}
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != MANIFEST_NAME
    }
    manifest = {
        "source": {"model_id": model_id, "revision": revision},
        "settings": settings,
        "onnx": ONNX_PARTS,
        "graphs": graphs,
        "files": files,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
