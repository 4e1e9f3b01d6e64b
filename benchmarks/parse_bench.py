"""Parse time of real and hostile Python files through the indexer's one parse path.

Measures ``indexer.parser.parse_source`` (tree-sitter parse + the outline query + symbol
extraction, what ``docgen index``, ``check``, ``generate`` and the language server share):

  * real files: the first ``--files`` ``.py`` files of the installed transformers source
    (sorted paths), files/s and CPU seconds, best of ``--repeat`` passes;
  * hostile files from the reliability campaign: ``N`` stacked decorators on one function
    (quadratic before the outline query was rewritten) and ``N`` nested definitions, each
    in a child process with a time limit, so a crash or a hang is a result, not the end of
    the run.

CPU seconds (``process_time``) are printed next to wall seconds: this machine is shared.
Run it from two checkouts back to back to compare them (the numbers are ratios of one run).

Usage:
    .venv/bin/python benchmarks/parse_bench.py [--files 500] [--repeat 3] [--limit 300]
        [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import machine

from indexer.parser import SkipFile, parse_source

_CHILD = """
import sys, time
from indexer.parser import SkipFile, parse_source
text = sys.stdin.buffer.read()
started, cpu = time.perf_counter(), time.process_time()
try:
    parsed = parse_source(text, "hostile.py")
    outcome = f"parsed ({len(parsed.symbols)} symbols)"
except SkipFile as exc:
    outcome = f"skipped: {exc.reason}"
print(f"{outcome}\\t{time.perf_counter() - started:.3f}\\t{time.process_time() - cpu:.3f}")
"""


def real_files(count: int) -> list[tuple[str, bytes]]:
    """The first ``count`` Python files of the installed transformers package."""
    import transformers

    root = Path(transformers.__file__).parent
    paths = sorted(root.rglob("*.py"))[:count]
    return [(str(p.relative_to(root)), p.read_bytes()) for p in paths]


def time_real(files: list[tuple[str, bytes]], repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` wall and CPU seconds to parse every file once."""
    best_wall = best_cpu = float("inf")
    symbols = skipped = 0
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        symbols = skipped = 0
        for rel, data in files:
            try:
                symbols += len(parse_source(data, rel).symbols)
            except SkipFile:
                skipped += 1
        best_wall = min(best_wall, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    kib = sum(len(data) for _, data in files) / 1024
    return {
        "files": len(files),
        "KiB": round(kib),
        "symbols": symbols,
        "skipped": skipped,
        "wall_s": round(best_wall, 3),
        "cpu_s": round(best_cpu, 3),
        "files_per_s": round(len(files) / best_wall, 1),
    }


def hostile(kind: str, n: int) -> bytes:
    """``n`` stacked decorators or ``n`` nested documented definitions."""
    if kind == "decorators":
        return ("def d(f):\n    return f\n\n\n" + "@d\n" * n + "def f():\n    pass\n").encode()
    lines = []
    for depth in range(n):
        pad = "    " * depth
        lines.append(f'{pad}def f{depth}():\n{pad}    """Level {depth}."""\n')
    return ("".join(lines) + "    " * n + "pass\n").encode()


def time_hostile(kind: str, n: int, limit: float) -> dict[str, object]:
    """Parse one hostile file in a child process within ``limit`` seconds."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=hostile(kind, n),
            capture_output=True,
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        return {"case": f"{n} {kind}", "outcome": f"over {limit:.0f} s (killed)"}
    if done.returncode != 0:
        return {"case": f"{n} {kind}", "outcome": f"crashed (exit {done.returncode})"}
    outcome, wall, cpu = done.stdout.decode().strip().split("\t")
    return {"case": f"{n} {kind}", "outcome": outcome, "wall_s": float(wall), "cpu_s": float(cpu)}


def main() -> int:
    """Run the benchmark and print a markdown summary (``--json``: also the raw numbers)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=300.0, help="seconds per hostile file")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    load = os.getloadavg()[0]
    real = time_real(real_files(args.files), args.repeat)
    cases = [("decorators", n) for n in (250, 500, 1000, 2000)]
    cases += [("nested", n) for n in (90, 510, 600)]
    rows = [time_hostile(kind, n, args.limit) for kind, n in cases]
    result = {
        "machine": machine(),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "real": real,
        "hostile": rows,
    }
    print(f"machine: {result['machine']}; load {result['load_before']} -> {result['load_after']}")
    print(
        f"real files: {real['files']} files ({real['KiB']} KiB, {real['symbols']} symbols, "
        f"{real['skipped']} skipped): {real['wall_s']} s wall, {real['cpu_s']} s CPU, "
        f"{real['files_per_s']} files/s (best of {args.repeat})"
    )
    print("\n| hostile file | outcome | wall s | CPU s |\n|---|---|---|---|")
    for row in rows:
        wall, cpu = row.get("wall_s", ""), row.get("cpu_s", "")
        print(f"| {row['case']} | {row['outcome']} | {wall} | {cpu} |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
