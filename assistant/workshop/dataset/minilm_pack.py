"""Pack all-MiniLM-L6-v2 small enough to travel to a GPU machine, and load it there.

Two-dimensional weights are stored as int8 with one float16 scale per row (symmetric),
everything else as float16, in safetensors; the config and tokenizer files are copied.
The packed model (about 23 MB instead of 90 MB) reproduces the original's embeddings
to a cosine above 0.99 (checked in tests), which is ample for ranking neighbours.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

_COPY = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)


def pack(source: Path, out: Path) -> Path:
    """Write the packed copy of the sentence-transformers folder ``source`` into ``out``."""
    import torch
    from safetensors.torch import load_file, save_file

    out.mkdir(parents=True, exist_ok=True)
    weights = load_file(str(source / "model.safetensors"))
    packed = {}
    for name, tensor in weights.items():
        tensor = tensor.float()
        if tensor.dim() == 2:
            scale = tensor.abs().amax(dim=1).clamp(min=1e-8) / 127.0
            packed[f"{name}.q"] = torch.round(tensor / scale[:, None]).to(torch.int8)
            packed[f"{name}.scale"] = scale.to(torch.float16)
        else:
            packed[name] = tensor.to(torch.float16)
    save_file(packed, str(out / "packed.safetensors"))
    for name in _COPY:
        if (source / name).exists():
            shutil.copy2(source / name, out / name)
    (out / "packed.json").write_text(json.dumps({"source": str(source), "scheme": "int8-row"}))
    return out


def load_packed(folder: Path, device: str = "cpu"):
    """Return ``(BertModel, tokenizer)`` rebuilt from a packed folder, in eval mode."""
    import torch
    from safetensors.torch import load_file
    from transformers import AutoTokenizer, BertConfig, BertModel

    config = BertConfig.from_pretrained(str(folder))
    model = BertModel(config, add_pooling_layer=False)
    packed = load_file(str(folder / "packed.safetensors"))
    state = {}
    for name, tensor in packed.items():
        if name.endswith(".q"):
            base = name[:-2]
            state[base] = tensor.float() * packed[f"{base}.scale"].float()[:, None]
        elif not name.endswith(".scale"):
            state[name] = tensor.float()
    state = {k.removeprefix("bert."): v for k, v in state.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    unexpected = [u for u in unexpected if not u.startswith("pooler.") and "position_ids" not in u]
    if missing or unexpected:
        raise ValueError(f"packed MiniLM mismatch: missing {missing}, unexpected {unexpected}")
    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    model = model.to(device=device, dtype=dtype).eval()
    return model, AutoTokenizer.from_pretrained(str(folder))


def main() -> int:
    """Pack the shipped MiniLM: ``python -m assistant.workshop.dataset.minilm_pack OUT``."""
    import sys

    from indexer.embed import default_model_path

    out = Path(sys.argv[1])
    pack(default_model_path(), out)
    print(f"packed {default_model_path()} into {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
