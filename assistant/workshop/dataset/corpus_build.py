"""Build the shipped cold-start corpus (``assistant/data/corpus.npz``) from the dataset's
**training** split.

For each selected documented function of the training packages: its package, name,
summary, the parameter descriptions of its full docstring (read from the build's
``raw/<package>.json.gz`` harvest cache with the product's own docstring readers), and an
all-MiniLM-L6-v2 vector of exactly the text the repository index embeds
(``indexer.embed.embedding_text``: the record's ``etext``), compressed with FAISS product
quantization. The attribution (package, version, licence of every package with an entry)
goes to ``assistant/data/NOTICE-corpus``. Validation and test packages are never read, so
no evaluated function can be in the corpus. See :mod:`assistant.corpus` for the format::

    nice -n 10 python -m assistant.workshop.dataset.corpus_build \\
        --data /work/data/dataset/examples.jsonl.xz --max-entries 60000

Embedding runs at about 70 texts/s on a 2-core CPU, so the training split (161k records)
is subsampled: at most ``--per-package`` entries per package, those with parameter
descriptions first, then a stable hash order; vectors are saved per chunk in ``--work``
so an interrupted build resumes; ``--max-minutes`` bounds the embedding time (the order is
round-robin over packages, so what is done by then is still a balanced subsample).
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"
DEFAULT_OUT = DATA_DIR / "corpus.npz"
DEFAULT_NOTICE = DATA_DIR / "NOTICE-corpus"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(description="Build the cold-start corpus.")
    p.add_argument("--data", type=Path, required=True, help="examples.jsonl.xz of the dataset")
    p.add_argument("--manifest", type=Path, default=None, help="default: next to --data")
    p.add_argument("--raw", type=Path, default=None, help="harvest cache (default: raw/ there)")
    p.add_argument("--max-entries", type=int, default=60000)
    p.add_argument("--per-package", type=int, default=120)
    p.add_argument("--pq-m", type=int, default=48, help="PQ sub-quantizers (bytes per vector)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--chunk", type=int, default=2048, help="texts embedded per saved chunk")
    p.add_argument("--work", type=Path, default=Path("work-data/corpus-build"))
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--notice", type=Path, default=DEFAULT_NOTICE)
    p.add_argument("--measure", type=int, default=0, help="only time embedding N texts")
    p.add_argument("--saved-only", action="store_true", help="use saved vectors, embed none")
    p.add_argument(
        "--signatures-only",
        action="store_true",
        help="embed nothing: add the parameters' kinds, annotations and defaults to the "
        "entries of the existing --out file (same selection, same vector index)",
    )
    p.add_argument(
        "--max-minutes",
        type=float,
        default=0.0,
        help="embedding time budget; the corpus keeps the (balanced) prefix embedded by then",
    )
    return p.parse_args(argv)


def load_train(path: Path) -> list[dict[str, Any]]:
    """The training records (only the fields the corpus needs)."""
    keep = ("id", "package", "path", "qualname", "name", "kind", "summary", "etext")
    out = []
    with lzma.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["split"] == "train" and record.get("summary") and record.get("etext"):
                out.append({k: record[k] for k in keep})
    return out


_MAX_DESCRIPTION = 200


def param_descriptions(docstring: str | None) -> dict[str, str]:
    """Parameter name -> description of a full docstring, in any style docgen reads."""
    from assistant.styles import detect_docstring_style, find_params

    if not docstring:
        return {}
    style = detect_docstring_style(docstring)
    if style is None:
        return {}
    try:
        block = find_params(docstring, style)
    except Exception:  # noqa: BLE001 - a reader failing on odd text: no descriptions
        return {}
    out: dict[str, str] = {}
    for entry in block.entries if block else []:
        text = " ".join((entry.description or "").split())
        if text and re.fullmatch(r"\w+", entry.bare_name):
            out.setdefault(entry.bare_name, text[:_MAX_DESCRIPTION])
    return out


def raw_symbols(raw_dir: Path, package: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(path, qualname) -> the harvested symbol (docstring, parameters) of a package."""
    path = raw_dir / f"{package}.json.gz"
    if not path.is_file():
        return {}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    out = {}
    for record in data.get("records", []):
        symbol = record.get("symbol") or {}
        if symbol.get("docstring"):
            out[(record.get("path", ""), record.get("qualname", ""))] = symbol
    return out


def raw_docstrings(raw_dir: Path, package: str) -> dict[tuple[str, str], str]:
    """(path, qualname) -> full docstring of a package's harvested records."""
    return {key: s["docstring"] for key, s in raw_symbols(raw_dir, package).items()}


def param_signatures(symbol: dict[str, Any] | None, names: dict[str, str]) -> dict[str, list]:
    """``{param: [kind, annotation, default]}`` of the described parameters ``names`` (the
    code's own, so a borrower can check that its parameter is the same kind of value)."""
    out: dict[str, list] = {}
    for param in (symbol or {}).get("parameters") or []:
        bare = str(param.get("name", "")).lstrip("*")
        if bare in names:
            out[bare] = [param.get("kind"), param.get("annotation"), param.get("default")]
    return out


def select(records: list[dict[str, Any]], per_package: int, limit: int) -> list[dict[str, Any]]:
    """At most ``per_package`` records per package, those with parameter descriptions
    first, then a stable hash order; then at most ``limit`` overall (same preference,
    round-robin across packages so small packages keep their share). The order is that
    round-robin, so every prefix is itself a balanced subsample (see ``--max-minutes``)."""
    from assistant.workshop.dataset.sources import stable_hash

    by_package: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_package[record["package"]].append(record)
    ranked = {
        name: sorted(rows, key=lambda r: (not r["params"], stable_hash(f"corpus:{r['id']}")))[
            :per_package
        ]
        for name, rows in by_package.items()
    }
    chosen: list[dict[str, Any]] = []
    depth = 0
    while len(chosen) < limit and any(depth < len(rows) for rows in ranked.values()):
        for name in sorted(ranked):
            if depth < len(ranked[name]):
                chosen.append(ranked[name][depth])
        depth += 1
    return chosen[:limit]


def embed_all(
    texts: list[str],
    work: Path,
    chunk: int,
    batch_size: int,
    max_minutes: float = 0.0,
    saved_only: bool = False,
) -> np.ndarray:
    """Embed with the index's embedder, one saved ``.npy`` per chunk (named by the chunk's
    texts, so a rerun resumes); with ``max_minutes``, stop after the chunk that passes it
    and return the vectors of the texts done so far (a prefix); ``saved_only``: embed
    nothing, use the saved chunks up to the first missing one."""
    import hashlib

    from indexer.embed import Embedder

    work.mkdir(parents=True, exist_ok=True)
    embedder = Embedder(None, "auto", batch_size=batch_size)
    parts = []
    started = time.monotonic()
    done_now = 0
    for start in range(0, len(texts), chunk):
        if max_minutes and time.monotonic() - started > max_minutes * 60:
            print(f"time budget spent: {start} of {len(texts)} embedded", file=sys.stderr)
            break
        key = hashlib.sha1("\0".join(texts[start : start + chunk]).encode()).hexdigest()[:16]
        part_path = work / f"vectors-{key}.npy"
        if part_path.is_file():
            parts.append(np.load(part_path, allow_pickle=False))
            continue
        if saved_only:
            break
        vectors = embedder.encode(texts[start : start + chunk]).astype(np.float32)
        np.save(part_path, vectors, allow_pickle=False)
        parts.append(vectors)
        done_now += len(vectors)
        rate = done_now / max(1e-9, time.monotonic() - started)
        left = (len(texts) - start - len(vectors)) / max(rate, 1e-9)
        print(
            f"embedded {start + len(vectors)}/{len(texts)} "
            f"({rate:.0f}/s, ~{left / 60:.0f} min left)",
            file=sys.stderr,
            flush=True,
        )
    return np.concatenate(parts) if parts else np.zeros((0, 384), dtype=np.float32)


def write_notice(path: Path, packages: list[dict[str, Any]], counts: Counter) -> None:
    """Attribution of every package with corpus entries (name, version, licence)."""
    lines = [
        "docgen cold-start corpus (assistant/data/corpus.npz): attribution",
        "",
        "The corpus holds, for documented functions of the open-source packages below, the",
        "first sentence of the docstring, parameter descriptions and a compressed MiniLM",
        "vector of the code (not the code itself). Only packages under permissive licences",
        "were used (the dataset build's licence filter); each keeps its licence and its",
        "authors' copyright. Built by `python -m assistant.workshop.dataset.corpus_build`.",
        "",
        "package | version | licence | entries",
    ]
    for pkg in sorted(packages, key=lambda p: p["name"]):
        lines.append(f"{pkg['name']} | {pkg['version']} | {pkg['license']} | {counts[pkg['name']]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Select, describe, embed, compress and write the corpus."""
    import faiss

    from assistant.corpus import write_corpus

    args = parse_args(argv)
    started = time.monotonic()
    manifest_path = args.manifest or args.data.parent / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    licences = {
        p["name"]: p
        for p in manifest["packages"]
        if p.get("split") == "train" and p.get("permissive")
    }
    records = [r for r in load_train(args.data) if r["package"] in licences]
    if args.measure:
        sample = records[: args.measure]
        t0 = time.monotonic()
        embed_all([r["etext"] for r in sample], args.work / "measure", 10**9, args.batch_size)
        rate = len(sample) / (time.monotonic() - t0)
        print(json.dumps({"texts": len(sample), "per_second": round(rate, 1)}))
        return 0
    raw_dir = args.raw or args.data.parent / "raw"
    by_package: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_package[record["package"]].append(record)
    with_params = 0
    for package, rows in by_package.items():
        symbols = raw_symbols(raw_dir, package)
        for record in rows:
            symbol = symbols.get((record["path"], record["qualname"]))
            record["params"] = param_descriptions((symbol or {}).get("docstring"))
            record["signatures"] = param_signatures(symbol, record["params"])
            with_params += bool(record["params"])
    if args.signatures_only:
        return add_signatures(args, records)
    chosen = select(records, args.per_package, args.max_entries)
    print(
        f"{len(records)} training records ({with_params} with parameter descriptions); "
        f"{len(chosen)} chosen",
        file=sys.stderr,
        flush=True,
    )
    texts = [r["etext"] for r in chosen]
    vectors = embed_all(
        texts, args.work, args.chunk, args.batch_size, args.max_minutes, args.saved_only
    )
    chosen = chosen[: len(vectors)]
    index = faiss.IndexPQ(vectors.shape[1], args.pq_m, 8)
    index.train(vectors)
    index.add(vectors)
    entries = [
        (r["package"], r["name"], r["summary"], r["params"], r["signatures"]) for r in chosen
    ]
    counts = Counter(r["package"] for r in chosen)
    used = [licences[name] for name in counts]
    info = {
        "source": str(args.data.name),
        "split": "train",
        "training_records": len(records),
        "with_param_descriptions": with_params,
        "entries": len(entries),
        "entries_with_params": sum(1 for r in chosen if r["params"]),
        "packages": len(counts),
        "per_package": args.per_package,
        "max_entries": args.max_entries,
        "selected": len(texts),
        "pq_m": args.pq_m,
        "embedding": "all-MiniLM-L6-v2 over indexer.embed.embedding_text",
    }
    write_corpus(args.out, index, entries, info)
    write_notice(args.notice, used, counts)
    info["bytes"] = args.out.stat().st_size
    info["seconds"] = round(time.monotonic() - started)
    print(json.dumps(info))
    return 0


def add_signatures(args: argparse.Namespace, records: list[dict[str, Any]]) -> int:
    """Rewrite ``args.out`` with the parameters' signatures added to its entries, keeping
    its vector index: the selection is made again with the file's own settings and must
    give the same entries in the same order (else nothing is written)."""
    from assistant.corpus import read_corpus, write_corpus

    corpus = read_corpus(args.out)
    info = dict(corpus.info)
    chosen = select(records, int(info["per_package"]), int(info["max_entries"]))[: len(corpus)]
    for i, record in enumerate(chosen):
        package, name, summary, params = corpus.entry(i)[:4]
        if (package, name, summary, params) != (
            record["package"],
            record["name"],
            record["summary"],
            record["params"],
        ):
            print(f"entry {i} differs from the selection: nothing written", file=sys.stderr)
            return 1
    entries = [
        (r["package"], r["name"], r["summary"], r["params"], r["signatures"]) for r in chosen
    ]
    info.pop("packages", None)
    info["param_signatures"] = sum(1 for r in chosen if r["signatures"])
    write_corpus(args.out, corpus.index, entries, info)
    print(json.dumps({k: v for k, v in info.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
