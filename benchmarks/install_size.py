"""What a user's default install costs (issue #15): size, distributions, install and start-up.

Builds the wheel (or takes ``--wheel``), then in fresh venvs of ``--python``:
  * ``pip install WHEEL`` once to fill pip's cache, then timed into a second fresh venv
    (the "from the local package cache" figure);
  * installed size of site-packages (MB, files' sizes), number of distributions, the largest
    ones, and whether torch is importable (it must not be);
  * ``docgen --help`` wall time (median of ``--repeat`` fresh processes);
  * first draft from a cold process: ``docgen generate FILE --diff`` on one file of the
    indexed sample repository, with empty draft and model caches, measured from process
    start to exit (the file's drafts: an upper bound of the first one), and the whole sample
    repository likewise.

Usage:
    .venv/bin/python benchmarks/install_size.py [--python python3.12] [--wheel dist/X.whl]
        [--repeat 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_repo"


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], check=True, capture_output=True, text=True, **kwargs
    )


def timed(*args: str | Path, **kwargs) -> float:
    started = time.perf_counter()
    run(*args, **kwargs)
    return time.perf_counter() - started


def build_wheel(out: Path) -> Path:
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT)
    return next(out.glob("docgen_assistant-*.whl"))


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3.*/site-packages"))


def sizes(folder: Path) -> tuple[float, dict[str, float]]:
    """Total MB and MB per distribution (its RECORD's files)."""
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    per_dist = {}
    for record in folder.glob("*.dist-info/RECORD"):
        size = 0
        for line in record.read_text().splitlines():
            path = folder / line.split(",")[0]
            if path.is_file():
                size += path.stat().st_size
        per_dist[record.parent.name.split("-")[0]] = size / 1e6
    return total / 1e6, per_dist


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--wheel", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    results: dict = {
        "python": run(args.python, "--version").stdout.strip(),
        "load_before": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory(prefix="docgen-size-") as tmp:
        work = Path(tmp)
        wheel = args.wheel or build_wheel(work / "dist")
        results["wheel_mb"] = wheel.stat().st_size / 1e6
        warm = work / "warm"
        run(args.python, "-m", "venv", warm)
        results["pip_install_first_s"] = timed(
            warm / "bin" / "python", "-m", "pip", "install", "-q", wheel
        )
        venv = work / "venv"
        run(args.python, "-m", "venv", venv)
        results["pip_install_cached_s"] = timed(
            venv / "bin" / "python", "-m", "pip", "install", "-q", wheel
        )
        total, per_dist = sizes(site_packages(venv))
        results["site_packages_mb"] = total
        results["distributions"] = len(per_dist)
        results["largest_mb"] = dict(sorted(per_dist.items(), key=lambda kv: -kv[1])[:8])
        probe = (
            "import importlib.util as u; print([m for m in ('torch', 'transformers',"
            " 'sentence_transformers', 'optimum') if u.find_spec(m)])"
        )
        results["heavy_importable"] = run(venv / "bin" / "python", "-c", probe).stdout.strip()
        docgen = venv / "bin" / "docgen"
        results["help_s"] = statistics.median(timed(docgen, "--help") for _ in range(args.repeat))
        repo = work / "sample"
        shutil.copytree(SAMPLE, repo, ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
        env = {**os.environ, "DOCGEN_CACHE_DIR": str(work / "cache")}
        run(docgen, "index", repo, env=env, cwd=work)
        first, whole = [], []
        for step in range(3):
            drafts = work / f"drafts-{step}"
            first.append(
                timed(
                    docgen,
                    "generate",
                    repo / "inventory" / "pricing.py",
                    "--diff",
                    "--cache-dir",
                    drafts / "a",
                    env=env,
                    cwd=work,
                )
            )
            whole.append(
                timed(
                    docgen,
                    "generate",
                    repo,
                    "--diff",
                    "--cache-dir",
                    drafts / "b",
                    env=env,
                    cwd=work,
                )
            )
        results["first_draft_one_file_s"] = statistics.median(first)
        results["generate_sample_repo_s"] = statistics.median(whole)
    results["load_after"] = os.getloadavg()
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
