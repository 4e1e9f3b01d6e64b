"""Benchmark the indexer on ~1,000 real Python files (the installed transformers source).

Measures, on one corpus copied into a work folder:
  * ``docgen check`` (a fresh CLI process) without and with an index present;
  * full index without embeddings: files/s, symbols/s;
  * the embedding backends (onnx, onnx-int8, and the OpenVINO paths when installed): load
    time, texts/s on the same sample, fidelity to the first (cosine; top-5 overlap);
  * full index with embeddings, once per ``--full-backends`` entry in the same run (fp32
    ``onnx`` and ``auto``, the default path chosen for this CPU, by default): files/s,
    symbols/s, embeddings/s, and the default's ratio to fp32;
  * no-change re-index and re-index after changing one file, both in a warm process
    (library call, model loaded: the language server's case) and as a fresh CLI process.

Usage:
    .venv/bin/python benchmarks/index_bench.py [--files 1000] [--backend auto]
        [--full-backends onnx,auto] [--backends onnx,onnx-int8,openvino-bf16]
        [--work /tmp/docgen-index-bench] [--sample 256] [--json results.json]

The fp32 ``onnx`` and ``torch`` backends of the default model need the ``[torch]`` extra.

Wall times on a shared machine swing with load; CPU seconds (process_time) are printed
next to them, and the load average is recorded before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import machine

from indexer.embed import AUTO_BACKEND, Embedder, embedding_text
from indexer.index import IndexConfig, update_index
from indexer.openvino_embed import available as openvino_available
from indexer.parser import parse_source, symbol_source


def _default_source() -> Path:
    import transformers

    return Path(transformers.__file__).parent


def build_corpus(source: Path, work: Path, count: int) -> Path:
    """Copy the first ``count`` .py files (sorted by path) of ``source`` into a fresh repo."""
    corpus = work / "corpus"
    shutil.rmtree(work, ignore_errors=True)
    files = sorted(p for p in source.rglob("*.py") if "__pycache__" not in p.parts)[:count]
    for path in files:
        target = corpus / source.name / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return corpus


CLI_CPU: list[float] = []


def timed(function, *args, **kwargs):
    """Return (result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def cli(corpus: Path, *args: str) -> float:
    """Wall seconds of one fresh ``docgen`` process (exit status 0 or 1 accepted).

    Its CPU seconds (its own and its workers', user + system) go to ``CLI_CPU[-1]``.
    """
    # The console script, not ``python -c``: that would put the corpus folder (which holds
    # a ``transformers`` package) first on sys.path and import the code being indexed.
    docgen = str(Path(sys.executable).with_name("docgen"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([docgen, *args], cwd=corpus, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CLI_CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1) or (args[0] == "index" and done.returncode):
        raise SystemExit(f"docgen {' '.join(args)} failed:\n{done.stderr}")
    return elapsed


def sample_texts(corpus: Path, size: int) -> list[str]:
    """Embedding texts of ``size`` random symbols of the corpus (fixed seed)."""
    texts = []
    for path in sorted(corpus.rglob("*.py")):
        source = path.read_bytes()
        parsed = parse_source(source, path.relative_to(corpus).as_posix())
        texts += [embedding_text(s, symbol_source(source, s)) for s in parsed.symbols]
    random.Random(0).shuffle(texts)
    return texts[:size]


def bench_backends(texts: list[str], backends: list[str]) -> dict:
    """Load time, throughput and fidelity to torch of each backend on the same texts."""
    results, reference = {}, None
    for backend in backends:
        embedder = Embedder(backend=backend)
        embedder.encode(texts[:2])  # loads (an fp32 export is made once, outside the timing)
        _, load, _ = timed(embedder.encode, texts[:2])
        vectors, wall, cpu = timed(embedder.encode, texts)
        row = {"load_s": load, "wall_s": wall, "cpu_s": cpu, "texts_per_s": len(texts) / wall}
        if reference is None:
            reference, row["reference"] = vectors, True
        else:
            row["min_cosine_vs_reference"] = float((reference * vectors).sum(1).min())
            row["top5_overlap_vs_reference"] = _top5_overlap(reference, vectors)
        results[backend] = row
        print(f"  {backend}: {row}", flush=True)
    return results


def _top5_overlap(a: np.ndarray, b: np.ndarray) -> float:
    top_a = np.argsort(-(a @ a.T), axis=1)[:, 1:6]
    top_b = np.argsort(-(b @ b.T), axis=1)[:, 1:6]
    return float(np.mean([len(set(x) & set(y)) / 5 for x, y in zip(top_a, top_b, strict=True)]))


def change_one_file(corpus: Path, step: int) -> None:
    """Append a new documented function to one file (a different one each step), so the
    update parses the file and embeds one new symbol."""
    target = sorted(corpus.rglob("activations.py"))[0]
    with target.open("a") as handle:
        handle.write(
            f'\n\ndef bench_added_{step}(x):\n    """Scale x by {step}."""\n    return x * {step}\n'
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=None)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/docgen-index-bench"))
    parser.add_argument("--sample", type=int, default=256)
    parser.add_argument("--backend", default="auto")
    sample_default = "onnx,onnx-int8" + (",openvino-fp32,openvino-bf16" * openvino_available())
    parser.add_argument("--backends", default=sample_default, help="first one: reference")
    parser.add_argument("--full-backends", default="onnx,auto")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    results: dict = {
        "machine": machine(),
        "load_before": os.getloadavg(),
        "backend_auto": AUTO_BACKEND,
    }
    corpus = build_corpus(args.source or _default_source(), args.work, args.files)
    files = len(list(corpus.rglob("*.py")))
    results["files"] = files
    print(f"corpus: {files} files, {sum(p.stat().st_size for p in corpus.rglob('*.py')):,} bytes")

    results["check_cli_no_index_s"] = cli(corpus, "check", "-q", ".")
    results["check_cli_no_index_cpu_s"] = CLI_CPU[-1]
    print(f"docgen check (no index): {results['check_cli_no_index_s']:.2f} s", flush=True)

    summary, wall, cpu = timed(update_index, corpus, IndexConfig(embed=False))
    results["parse_only"] = {
        "wall_s": wall,
        "cpu_s": cpu,
        "files_per_s": summary.parsed / wall,
        "symbols": summary.symbols,
        "symbols_per_s": summary.symbols / wall,
    }
    print(f"index without embeddings: {results['parse_only']}", flush=True)
    shutil.rmtree(corpus / ".docgen")

    backends = [b for b in args.backends.split(",") if b]
    if backends:
        print(f"embedding backends on {args.sample} texts:")
        results["backends"] = bench_backends(sample_texts(corpus, args.sample), backends)

    results["full_index"] = {}
    for backend in [b for b in args.full_backends.split(",") if b]:
        shutil.rmtree(corpus / ".docgen", ignore_errors=True)
        embedder = Embedder(backend=backend)
        embedder.encode(["def f(): pass"])  # model load, choice (and a fp32 export) untimed
        config = IndexConfig(embedding_backend=backend)
        summary, wall, cpu = timed(update_index, corpus, config, embedder=embedder)
        results["full_index"][backend] = row = {
            "wall_s": wall,
            "cpu_s": cpu,
            "files_per_s": summary.parsed / wall,
            "symbols": summary.symbols,
            "symbols_per_s": summary.symbols / wall,
            "embedded": summary.embedded,
            "embeddings_per_s": summary.embedded / wall,
            "embeddings_per_cpu_s": summary.embedded / cpu,
            "path": embedder.backend,
            "choice": embedder.choice.describe(),
            "load_now": os.getloadavg()[0],
        }
        print(f"full index ({backend}): {row}", flush=True)
    rates = {b: r["embeddings_per_s"] for b, r in results["full_index"].items()}
    if "onnx" in rates and "onnx-int8" in rates:
        results["int8_over_fp32"] = rates["onnx-int8"] / rates["onnx"]
    if "onnx" in rates and "auto" in rates:
        results["default_over_fp32"] = rates["auto"] / rates["onnx"]
        print(
            f"default path ({results['full_index']['auto']['path']}): "
            f"{rates['auto']:.1f} embeddings/s, fp32: {rates['onnx']:.1f} embeddings/s, "
            f"ratio {results['default_over_fp32']:.2f}",
            flush=True,
        )

    config = IndexConfig(embedding_backend=args.backend)
    if not results["full_index"] or Embedder(backend=args.backend).backend != backend:
        shutil.rmtree(corpus / ".docgen", ignore_errors=True)
        embedder = Embedder(backend=args.backend)
        update_index(corpus, config, embedder=embedder)

    runs = [timed(update_index, corpus, config, embedder=embedder)[1] for _ in range(3)]
    results["no_change_warm_s"] = statistics.median(runs)
    changed = []
    for step in range(3):
        change_one_file(corpus, step)
        changed.append(timed(update_index, corpus, config, embedder=embedder)[1])
    results["one_change_warm_s"] = statistics.median(changed)
    backend_flag = ["--embedding-backend", args.backend]
    results["no_change_cli_s"] = cli(corpus, "index", "-q", ".", *backend_flag)
    results["no_change_cli_cpu_s"] = CLI_CPU[-1]
    change_one_file(corpus, 99)
    results["one_change_cli_s"] = cli(corpus, "index", "-q", ".", *backend_flag)
    results["one_change_cli_cpu_s"] = CLI_CPU[-1]
    results["check_cli_with_index_s"] = statistics.median(
        cli(corpus, "check", "-q", ".") for _ in range(3)
    )
    results["check_cli_with_index_cpu_s"] = statistics.median(CLI_CPU[-3:])
    results["load_after"] = os.getloadavg()
    for key in (
        "no_change_warm_s",
        "one_change_warm_s",
        "no_change_cli_s",
        "one_change_cli_s",
        "check_cli_with_index_s",
    ):
        print(f"{key}: {results[key]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
