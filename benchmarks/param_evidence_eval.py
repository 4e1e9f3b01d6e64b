"""How right are borrowed parameter descriptions? (issue #12 item 2)

A copy of an installed package has docstrings removed the way ``generate_bench.py`` removes
them (the in-repo situation) and is indexed. For every function whose docstring was
removed and documented a parameter, the description docgen writes for that parameter is
compared with the removed one (token F1 >= ``--f1`` counts as right), for two ways of
choosing it:

- ``evidence``: today's rule (:mod:`assistant.paramevidence`): from related symbols only,
  else neutral;
- ``by-name``: the earlier rule: the repository's most common description of a parameter
  of that name, anywhere (:class:`assistant.lexicon.ParamLexicon`), fitted to the code.

For the descriptions borrowed from the shipped corpus (source ``corpus``), the neutral line
docgen would have written instead is scored against the same truth (``corpus_vs_neutral``).
Packages of the dataset's training split are in the corpus, so measure the corpus on the
validation and test packages (``--origin`` a wheel or folder; never imported).

No model is needed. Usage::

    .venv/bin/python benchmarks/param_evidence_eval.py --package click
    .venv/bin/python benchmarks/param_evidence_eval.py --package jsonpickle \
        --origin /opt/pypi/files/jsonpickle-4.1.2-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from generate_bench import prepare
from param_threshold_fit import token_f1

from assistant.faithfulness import ParamFact, code_facts
from assistant.param_fit import documented_params
from assistant.pipeline import DocPipeline, PipelineSettings
from assistant.styles.build import fitting_describer, neutral_param_description
from assistant.styles.docmodel import signature_parameters
from indexer.parser import parse_source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="click")
    parser.add_argument("--target", type=int, default=80)
    parser.add_argument("--f1", type=float, default=0.5)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per parameter")
    parser.add_argument("--origin", type=Path, default=None, help="a wheel or folder")
    parser.add_argument("--module", default=None, help="its top folder (default: --package)")
    parser.add_argument(
        "--what-if",
        type=float,
        action="append",
        default=[],
        help="also score corpus lines at this corpus threshold (repeatable)",
    )
    args = parser.parse_args(argv)
    from indexer.index import update_index

    work = args.work or Path(tempfile.mkdtemp(prefix="docgen-params-"))
    module = args.module or args.package.replace("-", "_")
    if args.origin is not None:
        original_root = unpacked(args.origin, module, work / "original")
    else:
        original_root = Path(importlib.import_module(args.package).__file__).resolve().parent
    root, _ = prepare(module, args.target, work, original_root)
    update_index(root)
    pipeline = DocPipeline(root, PipelineSettings(update_index=False, cache_dir=work / "cache"))
    tally: dict[str, Counter[str]] = {"evidence": Counter(), "by-name": Counter()}
    product_threshold = pipeline.param_evidence.corpus_threshold
    thresholds = [product_threshold, *args.what_if]
    versus: dict[float, Counter[str]] = {t: Counter() for t in thresholds}
    for path in sorted((root / module).rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        original = original_root / path.relative_to(root / module)
        if not original.is_file():
            continue
        truth = {
            s.qualname: documented_params(s)
            for s in parse_source(original.read_bytes(), rel).symbols
            if s.docstring and s.kind in ("function", "method")
        }
        source = path.read_bytes()
        parsed = parse_source(source, rel)
        for symbol in parsed.symbols:
            wanted = truth.get(symbol.qualname)
            if symbol.docstring or symbol.kind not in ("function", "method") or not wanted:
                continue
            if symbol.is_overload:  # not drafted; the implementation is
                continue
            target = pipeline.target(rel, source, symbol, parsed)
            facts = code_facts(symbol, target.code)
            evidence = pipeline.param_evidence.describer(target, "google", facts)
            by_name = fitting_describer(pipeline.lexicon.describe, facts)
            for param in signature_parameters(symbol):
                bare = param.name.lstrip("*")
                if bare not in wanted or param.kind in ("var_positional", "var_keyword"):
                    continue
                text = evidence(param)
                source_name = evidence.chosen[bare].source
                _count(tally["evidence"], source_name, text, wanted[bare], args.f1)
                for threshold in thresholds:
                    said, where = text, source_name
                    if threshold != product_threshold:  # what the corpus would lend at it
                        pipeline.param_evidence.corpus_threshold = threshold
                        other = pipeline.param_evidence.describer(target, "google", facts)
                        said, where = other(param), other.chosen[bare].source
                        pipeline.param_evidence.corpus_threshold = product_threshold
                    if where == "corpus":
                        fact = ParamFact(bare, param.kind, param.default, param.annotation)
                        neutral = neutral_param_description(fact, "google")
                        _versus(versus[threshold], said, neutral, wanted[bare], args.f1)
                        if args.verbose:
                            print(f"  corpus@{threshold} {symbol.qualname}({bare}): {said!r}")
                lent = pipeline.lexicon.lookup(bare) is not None
                text = by_name(param)
                name_source = "lexicon" if lent and _kept(text, param) else "neutral"
                _count(tally["by-name"], name_source, text, wanted[bare], args.f1)
                if args.verbose:
                    chosen = evidence.chosen[bare]
                    print(f"{rel}:{symbol.qualname} {bare}: truth {wanted[bare]!r}")
                    print(f"    evidence [{chosen.source} {chosen.detail}] {chosen.text!r}")
                    print(f"    by-name [{name_source}] {text!r}")
    pipeline.close()
    summary = {}
    for way, counts in tally.items():
        borrowed = counts["borrowed"]
        right = counts["borrowed_right"]
        summary[way] = {
            "parameters": counts["parameters"],
            "borrowed": borrowed,
            "borrowed_right": right,
            "borrowed_wrong": borrowed - right,
            "precision": round(right / borrowed, 3) if borrowed else None,
            "by_source": {k[7:]: v for k, v in counts.items() if k.startswith("source:")},
        }
        print(f"{way}: {json.dumps(summary[way])}")
    summary["corpus_vs_neutral"] = {}
    for threshold, counts in versus.items():
        n = counts["parameters"]
        row = {
            "parameters": n,
            "corpus_right": counts["corpus_right"],
            "neutral_right": counts["neutral_right"],
            "corpus_mean_f1": round(counts["corpus_f1"] / n / 1000, 3) if n else None,
            "neutral_mean_f1": round(counts["neutral_f1"] / n / 1000, 3) if n else None,
        }
        summary["corpus_vs_neutral"][str(threshold)] = row
        print(f"corpus_vs_neutral at {threshold}: {json.dumps(row)}")
    if args.json:
        print(json.dumps({"package": args.package, **summary}))
    return 0


def unpacked(origin: Path, module: str, into: Path) -> Path:
    """The folder of ``module`` in ``origin`` (a folder, or a wheel unpacked into ``into``;
    members that would leave it are refused)."""
    if origin.is_dir():
        return origin / module if (origin / module).is_dir() else origin
    base = into.resolve()
    with zipfile.ZipFile(origin) as wheel:
        for name in wheel.namelist():
            if name.endswith(".py") and name.startswith(f"{module}/"):
                target = (base / name).resolve()
                if not target.is_relative_to(base):
                    raise SystemExit(f"{origin.name}: unsafe member {name}")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(wheel.read(name))
    return base / module


def _kept(text: str, param) -> bool:
    """Whether the by-name rule kept the lexicon's text (not its neutral fallback)."""
    from assistant.faithfulness import ParamFact, neutral_description

    fact = ParamFact(param.name.lstrip("*"), param.kind, param.default, param.annotation)
    return text != neutral_description(fact)


def _versus(counts: Counter[str], corpus: str, neutral: str, truth: str, f1: float) -> None:
    """Score a corpus line and the neutral line it replaced against the author's."""
    counts["parameters"] += 1
    for way, said in (("corpus", corpus), ("neutral", neutral)):
        score = token_f1(truth, said)
        counts[f"{way}_right"] += score >= f1
        counts[f"{way}_f1"] += round(score * 1000)


def _count(counts: Counter[str], source: str, text: str, truth: str, f1: float) -> None:
    counts["parameters"] += 1
    counts[f"source:{source}"] += 1
    if source not in ("neutral", "empty"):
        counts["borrowed"] += 1
        counts["borrowed_right"] += token_f1(truth, text) >= f1


if __name__ == "__main__":
    sys.exit(main())
