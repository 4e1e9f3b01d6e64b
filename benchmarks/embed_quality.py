"""Does the int8 MiniLM retrieve what the fp32 one retrieves? (issue #14 item 6)

On the validation packages of the dataset (``split == "valid"``; each record's ``etext`` is
the text the indexer embeds), every symbol is a query against the other symbols of its
package, as retrieval does in a repository. Reported per int8 variant against fp32:

  * recall@3: the share of fp32's 3 nearest neighbours that the int8 vectors also rank in
    their top 3 (mean over queries, and over packages);
  * cosine of each int8 vector to the fp32 vector of the same text (mean, p1, min);
  * batch dependence: dynamic quantization scales activations per batch, so the cosine of
    a text's vector embedded alone vs. inside its length-sorted batch.

Usage (the variants come from ``scripts/ship_embedder.py --target DIR --variant V``):
    .venv/bin/python benchmarks/embed_quality.py --fp32 DIR/onnx/model.onnx \
        --int8 per-channel-reduced=DIR1 per-tensor-reduced=DIR2 [--per-package 400]

or, for the paths the embedder can choose (issue #20 item 4; ``indexer.embed.BACKENDS``,
against the fp32 ``onnx`` path; ``PATH@N`` cuts inputs to N tokens instead of 128):
    .venv/bin/python benchmarks/embed_quality.py --paths onnx-int8 openvino-bf16 \
        onnx-int8@96 onnx-int8@64 [--per-package 300]
"""

from __future__ import annotations

import argparse
import json
import lzma
import random
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from indexer import onnx_embed
from indexer.embed import MAX_SEQ_LENGTH

DATASET = Path("/work/data/dataset/examples.jsonl.xz")


def load_valid(path: Path, per_package: int) -> dict[str, list[str]]:
    """Embedding texts of the validation split, per package (a fixed sample of each)."""
    texts: dict[str, list[str]] = defaultdict(list)
    with lzma.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("split") == "valid" and record.get("etext"):
                texts[record["package"]].append(record["etext"])
    rng = random.Random(0)
    for package, items in texts.items():
        rng.shuffle(items)
        texts[package] = items[:per_package]
    return dict(texts)


def encoder(folder: Path, model_file: str):
    found = onnx_embed.load(folder, model_file, MAX_SEQ_LENGTH)
    if found is None:
        raise SystemExit(f"{folder} is not a folder onnx_embed can load")
    return found


def top3(vectors: np.ndarray) -> np.ndarray:
    scores = vectors @ vectors.T
    np.fill_diagonal(scores, -np.inf)
    return np.argsort(-scores, axis=1)[:, :3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fp32", type=Path, help="the fp32 model.onnx")
    parser.add_argument("--int8", nargs="+", help="NAME=FOLDER (shipped layout)")
    parser.add_argument("--paths", nargs="+", help="embedder backends, PATH[@TOKENS]")
    parser.add_argument("--per-package", type=int, default=400)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    packages = load_valid(args.dataset, args.per_package)
    print({k: len(v) for k, v in packages.items()}, flush=True)
    if args.paths:
        vectors, speed = embed_paths(packages, args.paths)
        variants = dict.fromkeys(args.paths)
        report(args, packages, vectors, speed, variants)
        return
    if not (args.fp32 and args.int8):
        parser.error("give --fp32 and --int8, or --paths")
    variants = dict(item.split("=", 1) for item in args.int8)
    first = Path(next(iter(variants.values())))
    with tempfile.TemporaryDirectory() as tmp:  # fp32 file inside a copy of the layout
        fp32_folder = Path(tmp) / "fp32"
        shutil.copytree(first, fp32_folder, ignore=shutil.ignore_patterns("*.onnx"))
        shutil.copyfile(args.fp32, fp32_folder / "onnx" / "model.onnx")
        models = {"fp32": (fp32_folder, "onnx/model.onnx")}
        models |= {name: (Path(f), "onnx/model_qint8.onnx") for name, f in variants.items()}
        vectors: dict[str, dict[str, np.ndarray]] = {}
        speed = {}
        for name, (folder, file_name) in models.items():
            model = encoder(folder, file_name)
            started, count = time.perf_counter(), 0
            vectors[name] = {}
            for package, texts in packages.items():
                vectors[name][package] = model.encode(texts, batch_size=32)
                count += len(texts)
            speed[name] = count / (time.perf_counter() - started)
            print(f"{name}: {speed[name]:.1f} texts/s", flush=True)
            if name != "fp32":
                sample = [t for items in packages.values() for t in items[:20]]
                alone = np.vstack([model.encode([t]) for t in sample])
                batched = model.encode(sample, batch_size=32)
                speed[f"{name}_batch_cosine_min"] = float((alone * batched).sum(1).min())

    report(args, packages, vectors, speed, variants)


def embed_paths(packages: dict[str, list[str]], paths: list[str]):
    """Vectors of every package's texts through each embedder path (fp32 ``onnx`` first)."""
    from indexer.embed import Embedder

    vectors: dict[str, dict[str, np.ndarray]] = {}
    speed: dict[str, float] = {}
    for name in ["fp32", *paths]:
        backend, _, tokens = ("onnx" if name == "fp32" else name).partition("@")
        model = Embedder(backend=backend).load_strict()
        if tokens:  # the same path with shorter inputs
            model.tokenizer.enable_truncation(max_length=int(tokens))
        started, count, cpu = time.perf_counter(), 0, time.process_time()
        vectors[name] = {}
        for package, texts in packages.items():
            vectors[name][package] = model.encode(texts, batch_size=32)
            count += len(texts)
        speed[name] = count / (time.perf_counter() - started)
        speed[f"{name}_per_cpu_s"] = count / (time.process_time() - cpu)
        print(f"{name}: {speed[name]:.1f} texts/s", flush=True)
    return vectors, speed


def report(args, packages, vectors, speed, variants) -> None:
    """Print (and write) recall@3 and cosines of each variant against fp32."""
    results: dict = {"texts": sum(map(len, packages.values())), "texts_per_s": speed}
    for name in variants:
        recalls, cosines, per_package = [], [], {}
        for package in packages:
            ref, got = vectors["fp32"][package], vectors[name][package]
            a, b = top3(ref), top3(got)
            hits = [len(set(x) & set(y)) / 3 for x, y in zip(a, b, strict=True)]
            recalls += hits
            per_package[package] = float(np.mean(hits))
            cosines.append((ref * got).sum(1))
        cos = np.concatenate(cosines)
        results[name] = {
            "recall_at_3": float(np.mean(recalls)),
            "recall_at_3_worst_package": min(per_package.values()),
            "cosine_mean": float(cos.mean()),
            "cosine_p1": float(np.percentile(cos, 1)),
            "cosine_min": float(cos.min()),
            "batch_vs_alone_cosine_min": speed.get(f"{name}_batch_cosine_min"),
            "per_package_recall_at_3": per_package,
        }
        print(name, json.dumps(results[name]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
