"""The two stages of a batch, as plain functions and a plain class: whichever executor runs
them (a local process pool or Ray, :mod:`assistant.batch.executors`), the work is this code.

- :func:`index_stage` (a task per repository): the content key of the repository (its
  files' hashes, its settings, the model), then, unless that key is the one already
  cached in ``--out``, the index update (``docgen index``) and the coverage check
  (``docgen check``, the report's numbers and DG001 findings).
- :class:`DraftWorker` (one per worker process or Ray actor): holds the drafting model
  (one ONNX session, loaded once, handed from pipeline to pipeline) and the process's
  shared embedder; :meth:`DraftWorker.document` runs the bulk front end
  (:func:`assistant.bulk.document_paths`, exactly what ``docgen generate`` runs, batching
  drafts inside) on one repository and returns its records and patch.

Both return dataclasses of plain values (they cross process boundaries), and neither
raises for a problem of the repository: the problem comes back in ``error``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from assistant.batch.manifest import Repository
from assistant.pipeline import PIPELINE_VERSION, DocPipeline, PipelineSettings


@dataclass
class Job:
    """One repository's work: where, with which settings, and what to do.

    Attributes:
        repository: The repository.
        settings: Its pipeline settings (its ``[tool.docgen]`` and the command's flags).
        mode: ``missing``, ``stale`` or ``all`` (:data:`assistant.bulk.MODES`).
        write: Write the edits into the repository (``--write``).
        known_key: The content key of the result cached in ``--out`` ("" none): a
            repository whose key is unchanged is neither indexed nor drafted.
    """

    repository: Repository
    settings: PipelineSettings
    mode: str = "missing"
    write: bool = False
    known_key: str = ""


@dataclass
class Indexed:
    """What the index stage found for one repository (``error``: it failed)."""

    name: str
    key: str = ""
    unchanged: bool = False
    coverage: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


@dataclass
class Drafted:
    """What the draft stage made of one repository (``error``: it failed).

    Attributes:
        name: The repository's name.
        records: One ``DocResult.to_json()`` per symbol, as ``generate --format json``.
        patch: The edits as a unified diff (``a/``, ``b/`` prefixes; ``git apply``).
        counts: ``BulkReport.counts``.
        problems: Refused edits, files changed during the run, files that failed.
        notes: Run-wide notes of the pipeline.
        written: Files written (``--write`` only).
        error: Why the whole repository failed, or "".
        seconds: Wall time of the stage.
        pid: The process that drafted it.
    """

    name: str
    records: list[dict[str, Any]] = field(default_factory=list)
    patch: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    pid: int = 0


def _settings_json(settings: PipelineSettings) -> dict[str, Any]:
    return json.loads(json.dumps(asdict(settings), default=str, sort_keys=True))


def content_key(job: Job) -> str:
    """A digest of everything a repository's results depend on: the bytes of each file the
    walker selects (with its path), the settings, the mode, ``--write``, the model's
    fingerprint and the pipeline version. Equal keys mean equal results."""
    from indexer.walker import WalkOptions, select

    settings, root = job.settings, job.repository.path
    found = select([root], root, WalkOptions(settings.exclude, settings.max_file_bytes))
    files = {}
    for rel, path in sorted(found.files.items()):
        try:
            files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            files[rel] = f"unreadable: {exc}"
    model = DocPipeline(root, replace(settings, use_cache=False)).model_fingerprint()
    payload = {
        "files": files,
        "skipped": sorted(found.skipped_paths),
        "settings": _settings_json(settings),
        "mode": job.mode,
        "write": job.write,
        "model": model,
        "pipeline": PIPELINE_VERSION,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def index_stage(job: Job) -> Indexed:
    """Key, index and check one repository (see the module's docstring)."""
    started = time.perf_counter()
    name, root, settings = job.repository.name, job.repository.path, job.settings
    try:
        if not root.is_dir():
            raise FileNotFoundError(f"{root} is not a folder any more")
        key = content_key(job)
        if job.known_key and key == job.known_key:
            return Indexed(name, key, unchanged=True, seconds=time.perf_counter() - started)
        notes: list[str] = []
        if settings.update_index:
            pipeline = DocPipeline(root, replace(settings, use_cache=False))
            try:
                pipeline.update_index()
            except Exception as exc:  # noqa: BLE001 - drafting still works from the files
                notes.append(f"index update failed ({exc}); using the index as it is")
            finally:
                pipeline.close()
        coverage = _coverage(root, settings)
    except Exception as exc:  # noqa: BLE001 - one repository never stops the batch
        return Indexed(
            name, error=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - started
        )
    return Indexed(name, key, False, coverage, notes, seconds=time.perf_counter() - started)


def _coverage(root, settings: PipelineSettings) -> dict[str, Any]:
    """``docgen check --format json`` of the repository, with its settings' counting flags."""
    from indexer.coverage import COUNTING_FLAGS, CheckOptions, check_paths

    options = CheckOptions(
        **{flag: getattr(settings, flag) for flag in COUNTING_FLAGS},
        exclude=list(settings.exclude),
        max_file_bytes=settings.max_file_bytes,
    )
    return check_paths([root], options, root=root, workers=1).to_dict()


class DraftWorker:
    """Drafts repositories one after another with one model session (see the module)."""

    def __init__(self) -> None:
        self.generator = None  # loaded by the first pipeline that drafts, then handed on

    def pid(self) -> int:
        """This worker's process id (the kill-a-worker test aims at it)."""
        return os.getpid()

    def document(self, job: Job) -> Drafted:
        """Document one repository with the bulk front end; never raises for its problems."""
        from assistant.bulk import document_paths

        started = time.perf_counter()
        name, root = job.repository.name, job.repository.path
        # the index stage has brought the index up to date already
        settings = replace(job.settings, update_index=False)
        pipeline = DocPipeline(root, settings, generator=self.generator)
        try:
            report = document_paths(
                pipeline, [root], mode=job.mode, write=job.write, diff=True, hold_back=True
            )
        except Exception as exc:  # noqa: BLE001 - one repository never stops the batch
            return Drafted(
                name,
                error=f"{type(exc).__name__}: {exc}",
                seconds=time.perf_counter() - started,
                pid=os.getpid(),
            )
        finally:
            self.generator = pipeline.loaded_generator or self.generator
            pipeline.close()
        return Drafted(
            name,
            records=[result.to_json() for result in report.results],
            patch=report.diff,
            counts=report.counts,
            problems=[*report.refused, *report.changed, *report.errors],
            notes=report.notes,
            written=list(report.written),
            seconds=time.perf_counter() - started,
            pid=os.getpid(),
        )
