"""Drafts for the hand audit of issue #12: three real packages not on this machine's disk.

For each package (:data:`PACKAGES`, chosen before any draft was seen; see docs/audit.md):

1. its sdist is fetched with ``pip download --no-deps --no-binary :all: NAME==VERSION``
   into ``--work`` and the package folder copied to ``WORK/NAME/repo`` (tests, docs and
   examples left out), with an empty ``[tool.docgen]`` table so the defaults apply;
2. the public documented functions and methods (:func:`candidates`) are shuffled with
   ``random.Random(f"{seed}:{package}")`` and the first ``min(--strip, 60 %)`` lose their
   docstrings (:func:`strip_docstrings`; every edited file must still parse, else it is
   left as it was and its symbols dropped); the rest stays documented, the usual
   ``docgen-fix`` on a partly documented repository;
3. ``docgen index`` and ``docgen generate --format json`` run on it with default settings
   (confidence floor 0.6; the product's public CLI, in a subprocess);
4. the audit sample (:func:`audit_sample`) is the first ``--per-package`` drafts, in the
   shuffled order, at or above the floor; if fewer pass, all that pass and then the first
   below it.

Writes ``WORK/audit-drafts.json`` (every stripped symbol's draft) and ``WORK/audit-drafts.md``
(the sample: package, path, qualname, signature, the removed docstring's first line, the
draft's summary, docstring, confidence, provenance, floor), then prints which sampled
drafts have no verdict yet in ``docs/audit-verdicts.json`` (keyed by :func:`verdict_key`:
package, qualname and the SHA-1 of the summary, so a changed draft needs a new verdict)
and the totals of those that have one. Usage::

    .venv/bin/python benchmarks/audit_drafts.py --work /tmp/docgen-audit
    .venv/bin/python benchmarks/audit_drafts.py --work /tmp/docgen-audit --reuse  # no refetch
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.settings import DEFAULT_WRITE_FLOOR
from indexer.parser import parse_source

PACKAGES = (("glom", "24.11.0"), ("simpy", "4.1.1"), ("transitions", "0.9.2"))
"""The audited packages and versions (docs/audit.md says why these)."""

SEED = 20261201
FLOOR = DEFAULT_WRITE_FLOOR
"""The default confidence floor the sample is cut at (what ``--write`` writes)."""

SKIP_DIRS = frozenset({"tests", "test", "testing", "docs", "doc", "examples", "benchmarks"})
VERDICTS = ("usable", "needs editing", "wrong")
DEFAULT_VERDICTS = Path(__file__).resolve().parent.parent / "docs" / "audit-verdicts.json"


@dataclass
class Stripped:
    """One symbol whose docstring was removed, and later its draft."""

    package: str
    path: str
    qualname: str
    line: int
    signature: str
    original: str
    order: int
    draft: dict = field(default_factory=dict)
    code: str = ""
    """The code docgen saw (docstring removed)."""

    @property
    def at_floor(self) -> bool:
        """Drafted with a confidence at or above the default floor (``--write`` writes it)."""
        return bool(self.draft) and float(self.draft.get("confidence", 0.0)) >= FLOOR

    @property
    def first_line(self) -> str:
        """The removed docstring's first line."""
        return self.original.strip().splitlines()[0].strip() if self.original.strip() else ""


def is_public(qualname: str) -> bool:
    """No private part (``__init__`` and other dunders are public)."""
    for part in qualname.split("."):
        if part.startswith("_") and not (part.startswith("__") and part.endswith("__")):
            return False
    return True


def python_files(root: Path) -> list[Path]:
    """The package's ``.py`` files, tests/docs/examples left out, in path order."""
    out = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if not SKIP_DIRS.intersection(parts[:-1]) and not parts[-1].startswith("test_"):
            out.append(path)
    return out


def candidates(root: Path) -> list[tuple[str, str, int]]:
    """``(path, qualname, line)`` of the public documented functions and methods whose
    docstring's first line has at least three words, in path order (overloads and
    property setters/deleters left out)."""
    out = []
    for path in python_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            parsed = parse_source(path.read_bytes(), rel, "python")
        except Exception:  # noqa: BLE001 - a file the parser refuses is not sampled
            continue
        seen: set[str] = set()
        for s in parsed.symbols:
            if s.kind not in ("function", "method") or not s.docstring or s.doc_span is None:
                continue
            if s.is_overload or not is_public(s.qualname) or s.qualname in seen:
                continue
            if any(d.endswith((".setter", ".deleter")) for d in s.decorators):
                continue
            seen.add(s.qualname)
            first = s.docstring.strip().splitlines()[0] if s.docstring.strip() else ""
            if len(first.split()) >= 3:
                out.append((rel, s.qualname, s.line))
    return out


def choose(found: list[tuple[str, str, int]], package: str, seed: int, strip: int) -> list:
    """The first ``min(strip, 60 % of found)`` of ``found`` shuffled with a seed of its own
    per package (the same list for the same inputs, whatever ran before)."""
    order = list(found)
    random.Random(f"{seed}:{package}").shuffle(order)
    return order[: min(strip, int(len(order) * 0.6))]


def strip_docstring(source: bytes, start: int, end: int, body_end: int | None) -> bytes:
    """Remove the docstring statement at bytes ``start:end`` (its whole lines), or make it
    ``pass`` when it is the whole body; unchanged when it shares a line with code."""
    line_start = source.rfind(b"\n", 0, start) + 1
    line_end = source.find(b"\n", end)
    line_end = len(source) if line_end < 0 else line_end + 1
    if source[line_start:start].strip() or source[end:line_end].strip():
        return source
    if body_end is not None and body_end <= end:
        indent = source[line_start:start]
        return source[:line_start] + indent + b"pass\n" + source[line_end:]
    return source[:line_start] + source[line_end:]


def strip_docstrings(root: Path, chosen: list[tuple[str, str, int]], package: str) -> list:
    """Remove the chosen symbols' docstrings; return a :class:`Stripped` per symbol
    whose docstring is gone (a file that would no longer parse is left as it was)."""
    by_file: dict[str, list[tuple[int, str, int]]] = {}
    for order, (rel, qualname, line) in enumerate(chosen):
        by_file.setdefault(rel, []).append((order, qualname, line))
    out = []
    for rel, wanted in sorted(by_file.items()):
        path = root / rel
        source = path.read_bytes()
        parsed = parse_source(source, rel, "python")
        found = {(s.qualname, s.line): s for s in parsed.symbols}
        done = []
        edits = []
        for order, qualname, line in wanted:
            s = found.get((qualname, line))
            if s is None or s.doc_span is None:
                continue
            body_end = s.body_span.end_byte if s.body_span is not None else None
            edits.append((s.doc_span.start_byte, s.doc_span.end_byte, body_end))
            done.append(
                Stripped(
                    package,
                    rel,
                    qualname,
                    line,
                    signature(source, s),
                    s.docstring or "",
                    order,
                )
            )
        for start, end, body_end in sorted(edits, reverse=True):  # later edits first
            source = strip_docstring(source, start, end, body_end)
        try:
            ast.parse(source)
        except SyntaxError:
            continue
        path.write_bytes(source)
        after: dict[str, object] = {}
        for s in parse_source(source, rel, "python").symbols:
            after.setdefault(s.qualname, s)  # a property's getter comes before its setter
        for d in done:
            s = after.get(d.qualname)
            if s is not None and not s.docstring:
                d.code = source[s.span.start_byte : s.span.end_byte].decode("utf-8", "replace")
                out.append(d)
    return sorted(out, key=lambda d: d.order)


def signature(source: bytes, symbol) -> str:
    """The ``def`` line(s) of ``symbol`` up to its colon, on one line."""
    text = source[symbol.span.start_byte : symbol.span.end_byte].decode("utf-8", "replace")
    try:
        node = ast.parse(textwrap.dedent(text)).body[0]
    except (SyntaxError, IndexError):
        return text.splitlines()[0].strip()
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        node.body = [ast.Expr(ast.Constant(...))]
        node.decorator_list = []
        return ast.unparse(node).splitlines()[0].rstrip(":")
    return text.splitlines()[0].strip()


def audit_sample(stripped: list[Stripped], per_package: int) -> tuple[list[Stripped], int]:
    """The first ``per_package`` drafts at or above the floor (in the shuffled order); when
    fewer pass, all that pass and then the first below it. Returns (sample, how many of
    them pass the floor)."""
    drafted = [d for d in stripped if d.draft]
    passing = [d for d in drafted if d.at_floor]
    sample = passing[:per_package]
    if len(sample) < per_package:
        below = [d for d in drafted if not d.at_floor]
        sample += below[: per_package - len(sample)]
    return sample, min(len(passing), per_package)


def verdict_key(package: str, qualname: str, summary: str) -> str:
    """``package:qualname:sha1(summary)[:12]``: a new summary needs a new verdict."""
    return f"{package}:{qualname}:{hashlib.sha1(summary.encode('utf-8')).hexdigest()[:12]}"


# --- fetching --------------------------------------------------------------------------


def fetch(name: str, version: str, work: Path) -> Path:
    """Download and unpack the sdist of ``name==version``; return the package folder."""
    downloads = work / "sdists"
    downloads.mkdir(parents=True, exist_ok=True)
    spec = f"{name}=={version}"
    if not list(downloads.glob(f"{name}-{version}.*")):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
            + ["-d", str(downloads), spec],
            check=True,
        )
    archive = next(iter(sorted(downloads.glob(f"{name}-{version}.*"))))
    unpacked = work / "src"
    unpacked.mkdir(exist_ok=True)
    target = unpacked / f"{name}-{version}"
    if not target.is_dir():
        unpack(archive, unpacked)
    top = target / "src" / name if (target / "src" / name).is_dir() else target / name
    if not top.is_dir():
        raise SystemExit(f"{archive.name}: no {name}/ package folder inside")
    return top


def unpack(archive: Path, into: Path) -> None:
    """Unpack a .tar.gz or .zip sdist, refusing members that leave ``into``."""
    base = into.resolve()
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            for member in z.namelist():
                if not (base / member).resolve().is_relative_to(base):
                    raise SystemExit(f"{archive.name}: unsafe member {member}")
            z.extractall(base)
        return
    with tarfile.open(archive) as t:
        members = []
        for member in t.getmembers():
            if not (base / member.name).resolve().is_relative_to(base):
                raise SystemExit(f"{archive.name}: unsafe member {member.name}")
            if member.isfile() or member.isdir():
                members.append(member)
        t.extractall(base, members=members)  # noqa: S202 - members checked above


def prepare(name: str, version: str, work: Path, seed: int, strip: int) -> tuple[Path, list]:
    """A fresh copy of the package with the chosen docstrings removed."""
    top = fetch(name, version, work)
    root = work / name / "repo"
    shutil.rmtree(root.parent, ignore_errors=True)
    shutil.copytree(top, root / name, ignore=shutil.ignore_patterns(*SKIP_DIRS, "__pycache__"))
    (root / "pyproject.toml").write_text("[tool.docgen]\n")
    chosen = choose(candidates(root), name, seed, strip)
    return root, strip_docstrings(root, chosen, name)


def draft(root: Path, name: str, cache: Path) -> list[dict]:
    """``docgen index`` then ``docgen generate --format json`` (default settings)."""
    docgen = [sys.executable, "-m", "docgen"]
    subprocess.run([*docgen, "index", str(root), "-q"], check=True)
    env_cache = ["--cache-dir", str(cache)]
    run = subprocess.run(
        [*docgen, "generate", str(root / name), "--root", str(root), "--format", "json", "-q"]
        + env_cache,
        check=False,
        capture_output=True,
        text=True,
    )
    if run.returncode not in (0, 1):
        raise SystemExit(f"docgen generate failed ({run.returncode}): {run.stderr.strip()}")
    return [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]


# --- the report ------------------------------------------------------------------------


def load_verdicts(path: Path) -> dict[str, dict]:
    """The verdicts file's ``verdicts`` table (empty when there is none)."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("verdicts", {})


def listing(sample: list[Stripped], verdicts: dict[str, dict]) -> str:
    """The sample as markdown, one section per draft."""
    lines = ["# Drafts for the hand audit", ""]
    for n, d in enumerate(sample, 1):
        key = verdict_key(d.package, d.qualname, d.draft.get("summary", ""))
        prov = d.draft.get("provenance") or {}
        lines += [
            f"## {n}. {d.package} `{d.qualname}` ({d.path}:{d.line})",
            "",
            f"- key: `{key}`; verdict: {verdicts.get(key, {}).get('verdict', '(none yet)')}",
            f"- signature: `{d.signature}`",
            f"- removed docstring's first line: {d.first_line}",
            f"- summary: {d.draft.get('summary', '')}",
            f"- confidence {d.draft.get('confidence', 0):.2f}"
            + (" (at/above the floor)" if d.at_floor else " (below the floor)")
            + f"; provenance {prov.get('source', '')} {prov.get('detail', '')}".rstrip(),
            "",
            "```",
            d.draft.get("docstring", ""),
            "```",
            "",
            "<details><summary>code and removed docstring</summary>",
            "",
            "```python",
            _head(d.code, 40),
            "```",
            "",
            "```",
            _head(d.original, 12),
            "```",
            "</details>",
            "",
        ]
    return "\n".join(lines)


def _head(text: str, lines: int) -> str:
    rows = text.splitlines()
    return "\n".join(
        rows[:lines] + ([f"... ({len(rows) - lines} more lines)"] if len(rows) > lines else [])
    )


def totals(sample: list[Stripped], verdicts: dict[str, dict]) -> dict:
    """Verdict counts over the judged drafts of ``sample``, and the false statements."""
    counts = dict.fromkeys(VERDICTS, 0)
    false_statements = 0
    for d in sample:
        v = verdicts.get(verdict_key(d.package, d.qualname, d.draft.get("summary", "")))
        if v:
            counts[v["verdict"]] += 1
            false_statements += int(v.get("false_statements", 0))
    judged = sum(counts.values())
    share = {k: round(100 * n / judged, 1) if judged else None for k, n in counts.items()}
    return {"judged": judged, "counts": counts, "percent": share, "false": false_statements}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--strip", type=int, default=100, help="docstrings removed per package")
    parser.add_argument("--per-package", type=int, default=20)
    parser.add_argument("--verdicts", type=Path, default=DEFAULT_VERDICTS)
    parser.add_argument("--reuse", action="store_true", help="report the saved drafts again")
    parser.add_argument("--only", default=None, help="one package of PACKAGES")
    args = parser.parse_args(argv)
    work = args.work.resolve()
    saved = work / "audit-drafts.json"
    if args.reuse:
        every = [Stripped(**row) for row in json.loads(saved.read_text())]
    else:
        every = json.loads(saved.read_text()) if saved.is_file() and args.only else []
        every = [Stripped(**row) for row in every if row["package"] != args.only]
        for name, version in PACKAGES:
            if args.only and name != args.only:
                continue
            root, stripped = prepare(name, version, work, args.seed, args.strip)
            records = {(r["path"], r["qualname"]): r for r in draft(root, name, work / "cache")}
            for d in stripped:
                d.draft = records.get((d.path, d.qualname), {})
            print(
                f"{name}=={version}: {len(stripped)} docstrings removed, "
                f"{sum(1 for d in stripped if d.draft)} drafted",
                file=sys.stderr,
            )
            every += stripped
        saved.write_text(json.dumps([asdict(d) for d in every], indent=1, ensure_ascii=False))
    verdicts = load_verdicts(args.verdicts)
    sample: list[Stripped] = []
    for name, _ in PACKAGES:
        mine, passing = audit_sample([d for d in every if d.package == name], args.per_package)
        drafted = [d for d in every if d.package == name and d.draft]
        at_floor = sum(1 for d in drafted if d.at_floor)
        print(
            f"{name}: {len(drafted)} drafts, {at_floor} at or above the floor; "
            f"sample {len(mine)} ({passing} at or above the floor)"
        )
        sample += mine
    (work / "audit-drafts.md").write_text(listing(sample, verdicts), encoding="utf-8")
    missing = [
        d
        for d in sample
        if verdict_key(d.package, d.qualname, d.draft.get("summary", "")) not in verdicts
    ]
    for d in missing:
        key = verdict_key(d.package, d.qualname, d.draft.get("summary", ""))
        print(f"no verdict yet: {key}  {d.draft.get('summary', '')!r}")
    print(
        json.dumps(
            {
                "sample": len(sample),
                "no_verdict": len(missing),
                "all": totals(sample, verdicts),
                "at_floor": totals([d for d in sample if d.at_floor], verdicts),
                "per_package": {
                    name: totals([d for d in sample if d.package == name and d.at_floor], verdicts)
                    for name, _ in PACKAGES
                },
            }
        )
    )
    print(f"listing: {work / 'audit-drafts.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
