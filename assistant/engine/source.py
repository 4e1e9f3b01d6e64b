"""Resolving a ``model`` argument to a checked local folder (format layer, used by both sides).

A ``model`` argument can be a Hugging Face format folder, a folder exported by
:func:`assistant.engine.export_model` (recognised by its manifest, see :mod:`.layout`), or
a hub id. This module turns it into a :class:`ModelSource` or raises
:class:`ModelLoadError` with the file at fault and what to do next. Nothing here imports
torch.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.engine.layout import MANIFEST_NAME, read_json_object, read_manifest
from assistant.engine.types import ModelLoadError

TOKENIZER_FILES = ("tokenizer.json", "spiece.model", "vocab.json")
"""At least one of these must exist for a folder to have a usable tokenizer."""

PICKLE_WEIGHTS = ("pytorch_model.bin", "tf_model.h5", "flax_model.msgpack", "model.ckpt")


@dataclass(frozen=True)
class ModelSource:
    """A model resolved to a local folder.

    Attributes:
        folder: Local folder holding the files.
        model_id: What the user asked for (hub id or folder path), for messages and caches.
        revision: Hub commit hash, or a content hash for local folders.
        exported: True when ``folder`` is an export of ours (has the manifest).
    """

    folder: Path
    model_id: str
    revision: str
    exported: bool


def resolve_model(model: str | os.PathLike[str], revision: str | None = None) -> ModelSource:
    """Turn a folder path or hub id into a checked local :class:`ModelSource`.

    Raises:
        ModelLoadError: The folder lacks files, a file is corrupt, or the hub is unreachable.
    """
    path = Path(model).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelLoadError(
                f"{path} is a file; pass the model folder (with config.json) instead."
            )
        if (path / MANIFEST_NAME).is_file():
            return ModelSource(path, str(path.resolve()), _manifest_revision(path), exported=True)
        check_hf_folder(path)
        return ModelSource(path, str(path.resolve()), folder_fingerprint(path), exported=False)
    if _looks_like_path(str(model)):
        raise ModelLoadError(
            f"Model folder {path} does not exist. Pass an existing folder in Hugging Face "
            "format (config.json, model.safetensors, tokenizer files) or a hub id."
        )
    return _download(str(model), revision)


_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


def _looks_like_path(text: str) -> bool:
    """True when ``text`` cannot be a hub id (``org/name``), so it must be a folder."""
    return not _HUB_ID.match(text)


def check_hf_folder(folder: Path) -> dict:
    """Check a Hugging Face format T5 folder and return its parsed config.json.

    Raises:
        ModelLoadError: Naming the missing or unreadable file and the fix.
    """
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise ModelLoadError(
            f"{config_path} is missing: {folder} is not a Hugging Face model folder. "
            "Save the model with `model.save_pretrained(folder)` or pass a hub id."
        )
    config = read_json_object(config_path)
    model_type = config.get("model_type")
    if model_type not in ("t5", "mt5"):
        raise ModelLoadError(
            f"{config_path} says model_type={model_type!r}; the engine runs T5 models only."
        )
    weights = [folder / "model.safetensors", folder / "model.safetensors.index.json"]
    if not any(p.is_file() for p in weights):
        pickled = [name for name in PICKLE_WEIGHTS if (folder / name).is_file()]
        hint = (
            f" Found {pickled[0]}, which is not loaded (pickle can run code): convert it with "
            "`model.save_pretrained(folder, safe_serialization=True)` in a trusted environment."
            if pickled
            else ""
        )
        raise ModelLoadError(f"{weights[0]} is missing.{hint}")
    if weights[0].is_file():
        check_safetensors_header(weights[0])
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise ModelLoadError(
            f"{folder} has no tokenizer (expected tokenizer.json or spiece.model). "
            "Save it next to the model with `tokenizer.save_pretrained(folder)`."
        )
    return config


def check_safetensors_header(path: Path) -> None:
    """Fail fast on a truncated or non-safetensors weights file (reads the header only)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
            header_len = int.from_bytes(head, "little") if len(head) == 8 else -1
            ok = 0 < header_len <= size - 8
            header = json.loads(fh.read(header_len)) if ok else None
        ends = [v["data_offsets"][1] for k, v in (header or {}).items() if k != "__metadata__"]
        ok = ok and max(ends, default=0) + 8 + header_len <= size
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        ok = False
    if not ok:
        raise ModelLoadError(
            f"{path} is corrupt or truncated (not a valid safetensors file). "
            "Re-download or re-save the model."
        )


def _manifest_revision(folder: Path) -> str:
    return str(read_manifest(folder).get("source", {}).get("revision", "unknown"))


def folder_fingerprint(folder: Path) -> str:
    """Hash the names, sizes and modification times of a folder's files (cheap, stable)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _download(model_id: str, revision: str | None) -> ModelSource:
    """Fetch a hub model's safetensors, config and tokenizer files (no pickle, no code)."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:  # pragma: no cover - transformers depends on it
        raise ModelLoadError("huggingface_hub is needed for hub ids: pip install it.") from exc
    patterns = ["*.json", "*.safetensors", "spiece.model", "*.txt"]
    try:
        folder = Path(snapshot_download(model_id, revision=revision, allow_patterns=patterns))
    except Exception as exc:  # hub errors come in many classes; all mean the same here
        raise ModelLoadError(
            f"Cannot fetch {model_id!r} from the Hugging Face hub ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'no details'}). Check the id and your "
            "internet connection, or pass a local model folder instead."
        ) from exc
    check_hf_folder(folder)
    return ModelSource(folder, model_id, folder.name, exported=False)
