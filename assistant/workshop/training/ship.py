"""Turn a training checkpoint into the shipped model folder (int8 ONNX via the engine).

``python -m assistant.workshop.training.ship --checkpoint CKPT --tokenizer TOK
--out assistant/models/docgen-t5 --card MODEL_CARD.md``

Steps: rebuild the Hugging Face folder from the checkpoint, export it with
:func:`assistant.engine.export_model` (int8), copy the model card and a
``docgen_model.json`` (prompt version, training state), and check the size budget.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from assistant.prompt import DEFAULT_MAX_CHARS, PROMPT_VERSION
from assistant.workshop.training.checkpoint import export_hf_folder, read_checkpoint

MAX_SHIPPED_BYTES = 40_000_000


def folder_bytes(folder: Path) -> int:
    """Total size of the files in ``folder`` (recursive)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def ship(
    checkpoint: Path, tokenizer: Path, out: Path, card: Path | None, hf_dir: Path | None = None
) -> Path:
    """Export ``checkpoint`` into ``out`` and return it.

    Raises:
        ValueError: The export is over :data:`MAX_SHIPPED_BYTES`.
    """
    from assistant.engine import export_model

    config, state = read_checkpoint(checkpoint)
    with tempfile.TemporaryDirectory() as tmp:
        hf = export_hf_folder(checkpoint, tokenizer, hf_dir or Path(tmp) / "hf")
        staging = Path(tmp) / "export"
        export_model(hf, out_dir=staging, int8=True, force=True)
        info = {
            "prompt_version": PROMPT_VERSION,
            "prompt_max_chars": DEFAULT_MAX_CHARS,
            "model_config": config,
            "training": {k: v for k, v in state.items() if k not in ("args", "optimizer")},
            "training_args": state.get("args", {}),
        }
        (staging / "docgen_model.json").write_text(json.dumps(info, indent=1))
        if card is not None:
            shutil.copy2(card, staging / "MODEL_CARD.md")
        size = folder_bytes(staging)
        if size > MAX_SHIPPED_BYTES:
            raise ValueError(
                f"export is {size / 1e6:.1f} MB, over the {MAX_SHIPPED_BYTES / 1e6:.0f} MB budget"
            )
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, out)
    out.chmod(0o755)
    for path in out.iterdir():
        path.chmod(0o644)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--tokenizer", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--card", type=Path, default=None)
    p.add_argument("--hf-dir", type=Path, default=None, help="also keep the PyTorch folder here")
    args = p.parse_args(argv)
    out = ship(args.checkpoint, args.tokenizer, args.out, args.card, args.hf_dir)
    print(f"shipped {out} ({folder_bytes(out) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
