"""Snapshot and compare ``docgen generate --format json`` records on two repositories.

A refactoring must not change what docgen writes. This script copies
``examples/sample_repo`` and the running interpreter's stdlib ``json`` package into a
temporary folder, indexes each and drafts every missing docstring with the embedded
defaults (fresh output cache), and either saves the records or compares them with a
saved snapshot::

    python scripts/compare_records.py --save before.json     # on the old commit
    python scripts/compare_records.py --check before.json    # on the new one

It drives the installed ``docgen`` command (the public CLI), so it runs no test harness
and reads nothing private. Exit 0 when the records are identical, 1 when they differ
(the first differences are printed), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _docgen() -> list[str]:
    exe = Path(sys.executable).with_name("docgen")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "docgen"]


def _records(repo: Path, cache: Path) -> list[dict]:
    cmd = [*_docgen(), "generate", str(repo), "--format", "json", "-q", "--cache-dir", str(cache)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=repo, check=False)
    if done.returncode != 0:
        raise SystemExit(f"docgen failed on {repo} (exit {done.returncode}):\n{done.stderr}")
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return sorted(rows, key=lambda r: (r["path"], r["line"], r["qualname"]))


def snapshot() -> dict[str, list[dict]]:
    """Return the records of both repositories, keyed by repository name."""
    with tempfile.TemporaryDirectory(prefix="docgen-records-") as tmp:
        work = Path(tmp)
        sample = shutil.copytree(ROOT / "examples" / "sample_repo", work / "sample_repo")
        stdlib_json = Path(json.__file__).parent
        json_copy = shutil.copytree(
            stdlib_json, work / "json_pkg" / "json", ignore=shutil.ignore_patterns("__pycache__")
        )
        return {
            "sample_repo": _records(Path(sample), work / "cache-sample"),
            "stdlib_json": _records(Path(json_copy).parent, work / "cache-json"),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the records to this file")
    group.add_argument("--check", type=Path, help="compare the records with this file")
    args = parser.parse_args(argv)
    records = snapshot()
    counts = ", ".join(f"{name}: {len(rows)} records" for name, rows in records.items())
    if args.save:
        args.save.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n")
        print(f"saved {counts} to {args.save}")
        return 0
    saved = json.loads(args.check.read_text())
    differences = [
        (name, i, old, new)
        for name in sorted(set(saved) | set(records))
        for i, (old, new) in enumerate(
            zip(saved.get(name, []), records.get(name, []), strict=False)
        )
        if old != new
    ]
    lengths = {name: (len(saved.get(name, [])), len(records.get(name, []))) for name in saved}
    lengths_differ = any(a != b for a, b in lengths.values())
    if not differences and not lengths_differ:
        print(f"identical: {counts}")
        return 0
    for name, (a, b) in lengths.items():
        if a != b:
            print(f"{name}: {a} records saved, {b} now")
    for name, i, old, new in differences[:10]:
        print(f"{name} record {i}:\n  saved: {json.dumps(old)}\n  now:   {json.dumps(new)}")
    print(f"{len(differences)} records differ")
    return 1


if __name__ == "__main__":
    sys.exit(main())
