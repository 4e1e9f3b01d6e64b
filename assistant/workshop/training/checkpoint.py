"""Checkpoints without pickle: safetensors shards plus JSON, written atomically.

A checkpoint folder holds ``model_config.json`` (T5Config kwargs), ``trainer_state.json``
(step, elapsed time, schedule, data position), ``model-NN.safetensors`` shards and,
optionally, ``optimizer-NN.safetensors`` (AdamW moments). Shards stay under a byte limit
(large tensors are split along their first dimension) so a checkpoint can travel through
size-limited channels. Tied weights are stored once.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

MAX_SHARD_BYTES = 15_000_000
_PART = "::part"


def _split_tensors(tensors: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    shards: list[dict[str, Any]] = [{}]
    size = 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().contiguous().cpu()
        nbytes = tensor.numel() * tensor.element_size()
        pieces = [(name, tensor)]
        if nbytes > limit and tensor.dim() > 0:
            rows = max(1, tensor.shape[0] * limit // nbytes)
            pieces = [
                (f"{name}{_PART}{i}", chunk.contiguous())
                for i, chunk in enumerate(tensor.split(rows, dim=0))
            ]
        for key, piece in pieces:
            piece_bytes = piece.numel() * piece.element_size()
            if size + piece_bytes > limit and shards[-1]:
                shards.append({})
                size = 0
            shards[-1][key] = piece
            size += piece_bytes
    return shards


def save_tensors(folder: Path, prefix: str, tensors: dict[str, Any], limit: int = MAX_SHARD_BYTES):
    """Save tensors as ``<prefix>-NN.safetensors`` shards of at most ``limit`` bytes."""
    from safetensors.torch import save_file

    for i, shard in enumerate(_split_tensors(tensors, limit)):
        save_file(shard, str(folder / f"{prefix}-{i:02d}.safetensors"))


def load_tensors(folder: Path, prefix: str) -> dict[str, Any]:
    """Load and reassemble the tensors written by :func:`save_tensors`."""
    import torch
    from safetensors.torch import load_file

    parts: dict[str, dict[int, Any]] = {}
    out: dict[str, Any] = {}
    files = sorted(folder.glob(f"{prefix}-*.safetensors"))
    if not files:
        raise FileNotFoundError(f"no {prefix}-*.safetensors in {folder}")
    for file in files:
        for key, tensor in load_file(str(file)).items():
            if _PART in key:
                name, index = key.split(_PART)
                parts.setdefault(name, {})[int(index)] = tensor
            else:
                out[key] = tensor
    for name, chunks in parts.items():
        out[name] = torch.cat([chunks[i] for i in sorted(chunks)], dim=0)
    return out


def model_tensors(model) -> dict[str, Any]:
    """Return the model's state dict with tied (shared-storage) tensors kept once."""
    seen: set[int] = set()
    out = {}
    for name, tensor in model.state_dict().items():
        ptr = tensor.data_ptr()
        if ptr in seen:
            continue
        seen.add(ptr)
        out[name] = tensor.float()
    return out


def load_model_tensors(model, tensors: dict[str, Any]) -> None:
    """Load tensors into ``model``; only tied copies of ``shared.weight`` may be missing."""
    result = model.load_state_dict(tensors, strict=False)
    tied = {"encoder.embed_tokens.weight", "decoder.embed_tokens.weight", "lm_head.weight"}
    missing = set(result.missing_keys) - tied
    if missing or result.unexpected_keys:
        raise ValueError(
            f"checkpoint does not match the model: missing {sorted(missing)}, "
            f"unexpected {sorted(result.unexpected_keys)}"
        )
    model.tie_weights()


def optimizer_tensors(optimizer) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split an optimizer's state into tensors and JSON-ready scalars (no pickle)."""
    tensors: dict[str, Any] = {}
    scalars: dict[str, Any] = {"param_groups": []}
    state = optimizer.state_dict()
    for group in state["param_groups"]:
        scalars["param_groups"].append({k: v for k, v in group.items()})
    for index, values in state["state"].items():
        for key, value in values.items():
            tensors[f"{index}.{key}"] = value
    return tensors, scalars


def restore_optimizer(optimizer, tensors: dict[str, Any], scalars: dict[str, Any]) -> None:
    """Restore the state written by :func:`optimizer_tensors` into ``optimizer``."""
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": scalars["param_groups"]})


def save_checkpoint(
    folder: Path,
    model,
    config_kwargs: dict[str, Any],
    trainer_state: dict[str, Any],
    optimizer=None,
) -> Path:
    """Write a checkpoint folder atomically (written beside it, then renamed into place)."""
    folder = Path(folder)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_tensors(tmp, "model", model_tensors(model))
    state = dict(trainer_state)
    if optimizer is not None:
        tensors, scalars = optimizer_tensors(optimizer)
        save_tensors(tmp, "optimizer", tensors)
        state["optimizer"] = scalars
    (tmp / "model_config.json").write_text(json.dumps(config_kwargs, indent=1))
    (tmp / "trainer_state.json").write_text(json.dumps(state, indent=1))
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)
    return folder


def read_checkpoint(folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``(model config kwargs, trainer state)`` of a checkpoint folder."""
    folder = Path(folder)
    try:
        config = json.loads((folder / "model_config.json").read_text())
        state = json.loads((folder / "trainer_state.json").read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{folder} is not a readable checkpoint ({exc}); train again") from exc
    return config, state


def export_hf_folder(checkpoint: Path, tokenizer_dir: Path, out: Path) -> Path:
    """Turn a checkpoint into a Hugging Face model folder (config, safetensors, tokenizer)."""
    from transformers import AutoTokenizer, GenerationConfig

    from assistant.workshop.training.architecture import build_model

    config, _state = read_checkpoint(checkpoint)
    model = build_model(config)
    load_model_tensors(model, load_tensors(Path(checkpoint), "model"))
    model.generation_config = GenerationConfig(
        decoder_start_token_id=0, eos_token_id=1, pad_token_id=0, max_new_tokens=48
    )
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out), safe_serialization=True)
    AutoTokenizer.from_pretrained(str(tokenizer_dir)).save_pretrained(str(out))
    return out
