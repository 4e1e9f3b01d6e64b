"""Which embedding models docgen agrees to load: no code named by a model, no pickle.

sentence-transformers imports the classes a model's ``modules.json`` names (and, for a local
folder, even ``modeling_*.py`` files next to it), and pickle weights run code when loaded:
:func:`check_model_modules` refuses both before anything is loaded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


class EmbedderError(RuntimeError):
    """The embedding model cannot be found or loaded; the message says what to do."""


PICKLE_WEIGHTS = ("*.bin", "*.pt", "*.pth", "*.ckpt", "*.pkl", "*.pickle")
"""Weight files in pickle format: a model folder with only these is refused."""
SAFE_MODULE_PREFIX = "sentence_transformers."
"""The only classes a model's ``modules.json`` may name: sentence-transformers' own."""


def check_model_modules(source: str) -> None:
    """Refuse a model whose ``modules.json`` names classes outside sentence-transformers,
    or whose weights are only in pickle files (``pytorch_model.bin``...).

    sentence-transformers imports every class ``modules.json`` names, and for a local folder
    it even loads ``modeling_*.py`` files from the folder itself without
    ``trust_remote_code``: a crafted folder would run code. docgen loads only models made of
    sentence-transformers' own modules. A folder without ``modules.json`` (a plain
    transformers model) gets sentence-transformers' default modules.

    Raises:
        EmbedderError: ``modules.json`` is unreadable or names another class.
    """
    folder = Path(os.path.expanduser(source))
    if folder.is_dir() and not any(folder.rglob("*.safetensors")):
        pickled = sorted(
            p.name for pattern in PICKLE_WEIGHTS for p in folder.glob(pattern) if p.is_file()
        )
        if pickled and not any(folder.rglob("*.onnx")):
            raise EmbedderError(
                f"embedding model {source!r} is refused: its weights are in {pickled[0]}, a "
                "pickle file, which docgen never loads (pickle can run code). Convert it to "
                "safetensors (`save_pretrained(folder, safe_serialization=True)`) in a "
                "trusted environment."
            )
    path = _modules_file(source)
    if path is None:
        return
    try:
        modules = json.loads(path.read_text(encoding="utf-8"))
        types = [module.get("type") for module in modules]
    except (OSError, UnicodeDecodeError, ValueError, TypeError, AttributeError) as exc:
        raise EmbedderError(
            f"embedding model {source!r}: {path} is not a valid modules.json ({exc})"
        ) from exc
    for kind in types:
        if not isinstance(kind, str) or not kind.startswith(SAFE_MODULE_PREFIX):
            raise EmbedderError(
                f"embedding model {source!r} is refused: its modules.json names {kind!r}, "
                "which is not part of sentence-transformers (docgen never imports code a "
                "model names). Use a model made of sentence-transformers' own modules."
            )


def _modules_file(source: str) -> Path | None:
    """The ``modules.json`` a load of ``source`` would read: in the folder, else in the
    local Hugging Face cache (None when there is none)."""
    folder = Path(os.path.expanduser(source))
    if folder.is_dir():
        path = folder / "modules.json"
        return path if path.is_file() else None
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # without it nothing can load a hub id either
        return None
    ids = [source] if "/" in source else [source, f"sentence-transformers/{source}"]
    for repo_id in ids:
        try:
            found = try_to_load_from_cache(repo_id, "modules.json")
        except Exception:  # noqa: BLE001 - not a valid repo id: nothing cached
            continue
        if isinstance(found, str):
            return Path(found)
    return None
