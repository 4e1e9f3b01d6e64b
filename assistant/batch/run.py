"""The orchestration of a batch: one code path whichever executor runs the stages.

:func:`run_batch` builds one job per repository (its settings, its cached content key),
runs the index stage on every job, then the draft stage on those that are neither failed
nor unchanged, and writes each result as it arrives (:mod:`assistant.batch.outputs`). A
result is taken once per repository: a retried worker cannot report a repository twice,
and one that fails is a row of the summary while the batch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.batch.executors import Executor
from assistant.batch.manifest import Repository
from assistant.batch.outputs import Row, cached, findings, remember, write_repository, write_summary
from assistant.batch.stages import Drafted, Indexed, Job
from assistant.pipeline import PipelineSettings

BatchProgress = Callable[[str, int, int], None]
"""``progress(stage, advance, total)``: stage is ``index`` or ``draft`` (as bulk runs')."""


@dataclass
class BatchReport:
    """The rows of a batch, in manifest order, and its wall time."""

    rows: list[Row] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0: every repository done or unchanged without problems; 1 otherwise."""
        return 1 if any(r.status == "failed" or r.problems for r in self.rows) else 0


def run_batch(
    repositories: list[Repository],
    settings_for: Callable[[Repository], PipelineSettings],
    executor: Executor,
    out: Path,
    mode: str = "missing",
    write: bool = False,
    progress: BatchProgress | None = None,
    formats: tuple[str, ...] = ("json",),
) -> BatchReport:
    """Document ``repositories`` on ``executor``; write the outputs under ``out``.

    Args:
        repositories: From :func:`assistant.batch.manifest.read_manifest`.
        settings_for: A repository's settings; an exception fails that repository only
            (a malformed ``pyproject.toml``, say).
        executor: :class:`~assistant.batch.executors.LocalPool` or ``RayExecutor``.
        out: The output folder.
        mode: One of :data:`assistant.bulk.MODES`.
        write: Write the edits into the repositories (the bulk front end's safe edits).
        progress: Progress callback.
        formats: Check report formats (:data:`assistant.batch.outputs.CHECK_REPORTS`).
    """
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    tick = progress or (lambda stage, advance, total: None)
    rows: dict[str, Row] = {}
    jobs: dict[str, Job] = {}
    previous: dict[str, Row] = {}
    for repository in repositories:
        row = Row(repository.name, str(repository.path), url=repository.url)
        try:
            settings = settings_for(repository)
        except Exception as exc:  # noqa: BLE001 - reported as that repository's failure
            rows[repository.name] = _failed(row, str(exc))
            continue
        key, old = cached(out, repository.name)
        if old is not None:
            previous[repository.name] = old
        jobs[repository.name] = Job(repository, settings, mode, write, key)
        rows[repository.name] = row

    indexed: dict[str, Indexed] = {}
    tick("index", 0, len(jobs))
    for result in executor.index(list(jobs.values())):
        if result.name in indexed:
            continue  # taken once
        indexed[result.name] = result
        tick("index", 1, len(jobs))
        row = rows[result.name]
        row.seconds = row.index_seconds = result.seconds
        if result.error:
            _failed(row, result.error)
        elif result.unchanged:
            rows[result.name] = _unchanged(previous[result.name], result.seconds)

    drafting = [jobs[n] for n, r in indexed.items() if not (r.error or r.unchanged)]
    taken: set[str] = set()
    tick("draft", 0, len(drafting))
    for drafted in executor.draft(drafting):
        if drafted.name in taken:
            continue
        taken.add(drafted.name)
        _finish(out, rows[drafted.name], indexed[drafted.name], drafted, formats)
        tick("draft", 1, len(drafting))
    report = BatchReport([rows[r.name] for r in repositories], time.perf_counter() - started)
    write_summary(out, report.rows, report.seconds)
    return report


def _failed(row: Row, error: str) -> Row:
    row.status, row.error = "failed", error.strip().splitlines()[0] if error.strip() else "failed"
    return row


def _unchanged(old: Row, seconds: float) -> Row:
    old.status, old.seconds, old.index_seconds = "unchanged", seconds, seconds
    return old


def _finish(
    out: Path, row: Row, indexed: Indexed, drafted: Drafted, formats: tuple[str, ...]
) -> None:
    row.seconds = indexed.seconds + drafted.seconds
    row.symbols = len(drafted.records)
    if drafted.error:
        _failed(row, drafted.error)
        return
    coverage = indexed.coverage
    row.coverage = coverage.get("coverage")
    row.documented, row.total = coverage.get("documented", 0), coverage.get("total", 0)
    row.findings = len(findings(coverage))
    row.drafts = drafted.counts.get("missing", 0)
    row.updates = drafted.counts.get("stale", 0)
    row.written = len(drafted.written)
    unparsable = [
        f"{rel}: does not parse (partly checked, never edited)"
        for rel in coverage.get("files_with_errors", [])
    ]
    row.problems = list(dict.fromkeys([*unparsable, *drafted.problems]))
    write_repository(out, row, drafted.records, drafted.patch, coverage, formats)
    remember(out, indexed.key, row)  # the same content gives the same result, problems too
