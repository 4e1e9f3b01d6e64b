"""Fit the similarity above which a neighbour may lend parameter descriptions (issue #12
item 2, :data:`assistant.paramevidence.NEIGHBOUR_THRESHOLD`), on the validation packages.

For every documented function of a validation package (read from its wheel or folder, as
the manifest names them; never imported or run), its ``--top-k`` most similar documented
functions of the same package (MiniLM over ``indexer.embed.embedding_text``, as the index
searches) are the neighbours. Each parameter documented in both, with compatible
annotations and defaults (:func:`assistant.param_fit.compatible`), is one pair: the
neighbour's description is *right* when it says what the function's own says (token F1 of
the two descriptions >= ``--f1``). Prints precision per similarity bin, the precision of
borrowing by name alone from any function of the package (what docgen did before), and the
lowest threshold above which every similarity bin reaches ``--precision``.

With ``--corpus`` the lenders are the ``--top-k`` nearest entries of the shipped cold-start
corpus instead (its quantized vectors, as ``docgen generate`` queries it; the corpus holds
training packages only), a pair needs the corpus to know the parameter's kind, annotation
and default (:func:`assistant.param_fit.corpus_parameter`) and the description must
pass :func:`assistant.param_fit.corpus_fits` against the function's code; this fits
:data:`assistant.paramevidence.CORPUS_THRESHOLD`.

Usage::

    .venv/bin/python benchmarks/param_threshold_fit.py /work/data/dataset/manifest.json
    .venv/bin/python benchmarks/param_threshold_fit.py /work/data/dataset/manifest.json --corpus
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import zipfile
from pathlib import Path

import numpy as np

from assistant.corpus import default_corpus
from assistant.faithfulness import code_facts
from assistant.param_fit import compatible, corpus_fits, corpus_parameter, documented_params
from assistant.styles.docmodel import signature_parameters
from indexer.embed import Embedder, embedding_text
from indexer.parser import parse_source
from indexer.text import symbol_source

_TOKEN = re.compile(r"[a-z0-9]+")


def token_f1(a: str, b: str) -> float:
    ta, tb = _TOKEN.findall(a.lower()), _TOKEN.findall(b.lower())
    if not ta or not tb:
        return 0.0
    common = sum(min(ta.count(t), tb.count(t)) for t in set(ta))
    if not common:
        return 0.0
    p, r = common / len(tb), common / len(ta)
    return 2 * p * r / (p + r)


def _sources(origin: str, limit: int):
    path = Path(origin)
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            names = [n for n in wheel.namelist() if n.endswith(".py") and "/tests/" not in n]
            for name in sorted(names)[:limit]:
                yield name, wheel.read(name)
    elif path.is_dir():
        for file in sorted(path.rglob("*.py"))[:limit]:
            yield file.relative_to(path).as_posix(), file.read_bytes()
    elif path.suffix == ".py":
        yield path.name, path.read_bytes()


def package_functions(origin: str, max_files: int, max_functions: int):
    """(symbol, code, {param: description}) of documented functions with documented params."""
    out = []
    for rel, data in _sources(origin, max_files):
        try:
            parsed = parse_source(data, rel, "python")
        except Exception:  # noqa: BLE001 - a file the parser refuses is left out
            continue
        for symbol in parsed.symbols:
            if symbol.kind not in ("function", "method") or not symbol.docstring:
                continue
            described = documented_params(symbol)
            names = {p.name.lstrip("*") for p in signature_parameters(symbol)}
            described = {k: v for k, v in described.items() if k in names}
            out.append((symbol, symbol_source(data, symbol), described))
    random.Random(0).shuffle(out)
    return out[:max_functions]


def corpus_pairs(functions, vectors, top_k: int, f1: float, package: str):
    """(similarity, right, package) of each parameter a corpus neighbour would lend."""
    corpus, note = default_corpus()
    if corpus is None:
        raise SystemExit(note)
    out = []
    for (symbol, code, described), hits in zip(
        functions, corpus.search(vectors, top_k), strict=True
    ):
        if not described:
            continue
        mine = {p.name.lstrip("*"): p for p in symbol.parameters}
        facts = code_facts(symbol, code)
        for hit in hits:
            for name, text in described.items():
                theirs = corpus_parameter(hit, name)
                if theirs is None or not compatible(mine[name], theirs):
                    continue
                lent = corpus_fits(hit.params.get(name, ""), mine[name], facts)
                if lent:
                    right = token_f1(text, lent) >= f1
                    shown = (
                        f"{symbol.qualname}({name}): {text!r} <- {hit.package}:{hit.name} {lent!r}"
                    )
                    out.append((hit.similarity, right, package, shown))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--split", default="valid")
    parser.add_argument("--top-k", type=int, default=3)
    parser.add_argument("--f1", type=float, default=0.5)
    parser.add_argument("--precision", type=float, default=0.9)
    parser.add_argument("--max-files", type=int, default=300)
    parser.add_argument("--max-functions", type=int, default=600)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--corpus", action="store_true", help="lenders: the shipped corpus")
    parser.add_argument("--only", action="append", default=[], help="these packages only")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each corpus pair")
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text())
    packages = [p for p in manifest["packages"] if p.get("split") == args.split and p.get("used")]
    packages = [p for p in packages if not args.only or p["name"] in args.only]
    embedder = Embedder()
    pairs: list[tuple[float, bool, str]] = []
    by_name: list[bool] = []
    for package in packages:
        functions = package_functions(package["origin"], args.max_files, args.max_functions)
        if len(functions) < 2:
            continue
        texts = [embedding_text(s, code) for s, code, _ in functions]
        vectors = np.asarray(embedder.encode(texts), dtype=np.float32)
        if args.corpus:
            found = corpus_pairs(functions, vectors, args.top_k, args.f1, package["name"])
            pairs += [row[:3] for row in found]
            for row in found if args.verbose else []:
                print(f"  {row[0]:.2f} {'right' if row[1] else 'wrong'} {row[3]}")
            print(f"{package['name']}: {len(functions)} functions, {len(pairs)} pairs so far")
            continue
        scores = vectors @ vectors.T
        np.fill_diagonal(scores, -1.0)
        rng = random.Random(1)
        for i, (symbol, _, described) in enumerate(functions):
            if not described:
                continue
            mine = {p.name.lstrip("*"): p for p in symbol.parameters}
            for j in np.argsort(-scores[i])[: args.top_k]:
                other, _, theirs_described = functions[j]
                theirs = {p.name.lstrip("*"): p for p in other.parameters}
                for name, text in described.items():
                    if name in theirs_described and name in theirs:
                        if compatible(mine[name], theirs[name]):
                            right = token_f1(text, theirs_described[name]) >= args.f1
                            pairs.append((float(scores[i, j]), right, package["name"]))
            for name, text in described.items():  # by name alone, from anywhere
                lenders = [f for f in functions if f[0] is not symbol and name in f[2]]
                if lenders:
                    by_name.append(token_f1(text, rng.choice(lenders)[2][name]) >= args.f1)
        print(f"{package['name']}: {len(functions)} functions, {len(pairs)} pairs so far")
    bins = [0.0, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01]
    print(f"\n{'similarity':<12} {'pairs':>6} {'precision':>9} {'in bin':>7} {'bin prec':>8}")
    fitted = None
    table = []
    for low, high in zip(bins, bins[1:], strict=False):
        above = [r for s, r, _ in pairs if s >= low]
        inside = [r for s, r, _ in pairs if low <= s < high]
        precision = sum(above) / len(above) if above else 0.0
        bin_precision = sum(inside) / len(inside) if inside else 0.0
        table.append(
            {
                "threshold": low,
                "pairs": len(above),
                "precision": round(precision, 3),
                "bin_pairs": len(inside),
                "bin_precision": round(bin_precision, 3),
            }
        )
        print(
            f">= {low:<9} {len(above):>6} {precision:>9.3f} {len(inside):>7} {bin_precision:>8.3f}"
        )
    # the lowest threshold above which every bin reaches the wanted precision
    for row in reversed(table):
        if row["bin_pairs"] and row["bin_precision"] < args.precision:
            break
        fitted = row["threshold"]
    packages_seen = sorted({p for _, _, p in pairs})
    for name in packages_seen:
        mine = [(s, r) for s, r, p in pairs if p == name]
        high = [r for s, r in mine if s >= (fitted or 1.0)]
        print(f"  {name}: {len(mine)} pairs, {len(high)} at or above the threshold", end="")
        print(f", precision {sum(high) / len(high):.3f}" if high else "")
    name_precision = sum(by_name) / len(by_name) if by_name else 0.0
    print(f"by name alone: {len(by_name)} pairs, precision {name_precision:.3f}")
    print(f"fitted threshold (precision >= {args.precision}): {fitted}")
    if args.json:
        print(json.dumps({"table": table, "by_name": name_precision, "threshold": fitted}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
