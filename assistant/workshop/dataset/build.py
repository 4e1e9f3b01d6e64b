"""Build the workshop's training dataset: harvest, license filter, dedup, package split, evidence.

Output folder layout::

    raw/<package>.jsonl.gz   per-package harvest cache (resumable)
    examples.jsonl.xz        one example per line (see :mod:`assistant.workshop.dataset`);
                             the ``similar`` ids are filled by
                             :mod:`assistant.workshop.dataset.neighbours`
    manifest.json            packages, versions, licenses, counts, split, settings
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.workshop.dataset.dedup import deduplicate
from assistant.workshop.dataset.evidence import FOLDS, neighbour_ids
from assistant.workshop.dataset.harvest import harvest_source
from assistant.workshop.dataset.jsonl import EXAMPLES_FILE, MAX_STORED_RAW_CHARS, write_jsonl
from assistant.workshop.dataset.sources import Source, archive_sources, stable_hash, stdlib_sources
from indexer.processes import worker_context

BuildProgress = Callable[[str, int, int], None]
"""Receives ``(stage, done, total)`` as a dataset build advances."""


@dataclass(slots=True)
class BuildConfig:
    """Settings of one dataset build (recorded in the manifest)."""

    out: Path
    stdlib: Path | None = None
    folders: list[Path] = field(default_factory=list)
    max_packages: int = 400
    max_files: int = 300
    max_records: int = 1500
    workers: int = 2
    test_share: float = 0.05
    valid_share: float = 0.03
    min_heldout_records: int = 60


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def discover(config: BuildConfig) -> list[Source]:
    """List all sources (stdlib modules and archives), licensed or not."""
    sources: list[Source] = []
    if config.stdlib is not None:
        version = config.stdlib.name.removeprefix("python")
        sources += stdlib_sources(config.stdlib, version)
    if config.folders:
        sources += archive_sources(config.folders)
    return sources


def harvest_all(
    config: BuildConfig, sources: list[Source], progress: BuildProgress
) -> dict[str, dict]:
    """Harvest every source with a process pool, reusing the per-package cache."""
    raw_dir = config.out / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    todo = []
    for source in sources:
        cached = raw_dir / f"{source.name}.json.gz"
        if cached.exists():
            with gzip.open(cached, "rt", encoding="utf-8") as fh:
                results[source.name] = json.load(fh)
        else:
            todo.append(source)
    done = len(results)
    progress("harvest", done, len(sources))
    workers = max(1, config.workers)
    with ProcessPoolExecutor(max_workers=workers, mp_context=worker_context()) as pool:
        futures = {
            pool.submit(harvest_source, s, config.max_files, config.max_records): s for s in todo
        }
        for future in as_completed(futures):
            result = future.result()
            tmp = raw_dir / f"{result['package']}.json.gz.tmp"
            with gzip.open(tmp, "wt", encoding="utf-8") as fh:
                json.dump(result, fh)
            os.replace(tmp, raw_dir / f"{result['package']}.json.gz")
            results[result["package"]] = result
            done += 1
            progress("harvest", done, len(sources))
    return results


def assign_splits(counts: dict[str, int], config: BuildConfig) -> dict[str, str]:
    """Split packages (never functions) into train/valid/test by a stable hash order.

    Held-out packages are drawn from those with at least ``min_heldout_records``
    records, in hash order, until each held-out split reaches its share of records.
    """
    total = sum(counts.values())
    split = {name: "train" for name in counts}
    targets = {"test": config.test_share * total, "valid": config.valid_share * total}
    filled = {"test": 0, "valid": 0}
    for name in sorted(counts, key=lambda n: stable_hash("split:" + n)):
        if counts[name] < config.min_heldout_records:
            continue
        for part in ("test", "valid"):
            if filled[part] < targets[part]:
                split[name] = part
                filled[part] += counts[name]
                break
    return split


def build_dataset(config: BuildConfig, progress: BuildProgress) -> dict[str, Any]:
    """Run the whole build and write ``examples.jsonl.gz`` and ``manifest.json``.

    Returns:
        The manifest.
    """
    config.out.mkdir(parents=True, exist_ok=True)
    sources = discover(config)
    allowed = [s for s in sources if s.permissive]
    allowed.sort(key=lambda s: stable_hash("pick:" + s.name))
    chosen = allowed[: config.max_packages]
    harvested = harvest_all(config, chosen, progress)
    counts = {n: len(r["records"]) for n, r in harvested.items() if r["records"]}
    split = assign_splits(counts, config)
    order = sorted(counts, key=lambda n: ({"test": 0, "valid": 1}.get(split[n], 2), n))
    stream = (rec for name in order for rec in harvested[name]["records"])
    kept, dropped = deduplicate(stream)
    packages: dict[str, list[dict]] = {}
    for i, record in enumerate(kept):
        record["id"] = i
        record["split"] = split[record["package"]]
        record["fold"] = stable_hash(record["path"] + ":" + record["qualname"]) % FOLDS
        packages.setdefault(record["package"], []).append(record)
    for records in packages.values():
        neighbour_ids(records, None)
    for record in kept:
        record["etext"] = embedding_text_of(record)
        record["raw_code"] = record["raw_code"][:MAX_STORED_RAW_CHARS]
        for key in ("symbol", "code"):
            record.pop(key, None)
    write_jsonl(config.out / EXAMPLES_FILE, kept)
    manifest = _manifest(config, sources, chosen, harvested, packages, split, dropped)
    write_json(config.out / "manifest.json", manifest)
    return manifest


def embedding_text_of(record: dict[str, Any]) -> str:
    """Return ``indexer.embed.embedding_text`` of a harvested record (needs its symbol)."""
    from indexer.embed import embedding_text
    from indexer.symbols import Symbol

    return embedding_text(Symbol.from_dict(record["symbol"]), record["raw_code"])


def _manifest(config, sources, chosen, harvested, packages, split, dropped) -> dict:
    chosen_names = {s.name for s in chosen}
    rows = []
    for source in sources:
        row = source.to_dict()
        row["used"] = source.name in packages
        if source.name in chosen_names:
            row["counts"] = harvested.get(source.name, {}).get("counts", {})
            row["examples"] = len(packages.get(source.name, []))
            row["split"] = split.get(source.name)
        rows.append(row)
    per_split: dict[str, int] = {}
    for name, records in packages.items():
        per_split[split[name]] = per_split.get(split[name], 0) + len(records)
    return {
        "settings": _config_dict(config),
        "examples": per_split,
        "dedup_dropped": dropped,
        "packages": rows,
    }


def _config_dict(config: BuildConfig) -> dict[str, Any]:
    out = {}
    for name in config.__slots__:  # type: ignore[attr-defined]
        value = getattr(config, name)
        if isinstance(value, Path):
            value = str(value)
        elif isinstance(value, list):
            value = [str(v) for v in value]
        out[name] = value
    return out
