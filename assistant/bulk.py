"""Bulk documentation over paths, a client of the pipeline: what ``docgen generate`` runs.

Steps: bring the index up to date (optional), select files (the walker's excludes and
limits apply to named files too), parse them, collect the symbols to document (missing
docstrings, stale docstrings or both), draft the missing ones in batches, plan every edit
of a file, check the edited file (it must parse with tree-sitter and, for Python, ``ast``,
and carry each new docstring where it belongs), then show a diff and/or write atomically.

A file that changed on disk since it was read is re-read and re-planned once (the drafted
summaries are reused); if it changes again it is left alone and reported. Nothing is
written without ``write=True``.

Nothing outside the repository is read or written: every read and every write checks the
file's real location (symlinks and ``..`` resolved) against the root right before it, and
writes to that location; a file that is (or became) a link out is skipped as
``outside the repository``. A Python file in a declared encoding (PEP 263) is parsed as
UTF-8 and written back in its own encoding, never converted; a draft the encoding cannot
hold is refused for that file.
"""

from __future__ import annotations

import difflib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.edits import (
    ConcurrentChangeError,
    EditRefused,
    TextEdit,
    atomic_write,
    check_together,
    content_hash,
    unparsable_reason,
)
from assistant.pipeline import DocPipeline, DocResult, PipelineSettings
from assistant.stale import StaleFinding, check_symbol
from assistant.summaries import Refined
from assistant.target import Target
from indexer.coverage import MISSING_CODE
from indexer.suppressions import Suppressions, suppressions_of
from indexer.symbols import ParsedFile, Symbol

if TYPE_CHECKING:
    from indexer.parser import SourceText

MODES = ("missing", "stale", "all")
"""``missing``: draft absent docstrings; ``stale``: update stale ones; ``all``: both."""

BulkProgress = Callable[[str, int, int], None]
"""``progress(stage, advance, total)``: stage is ``parse``, ``draft`` or ``write``."""

_DRAFT_CHUNK = 256
_PROGRESSIVE_CHUNK = 32
"""With ``on_result``, files are drafted and finished in groups of about this many
symbols, so the first records come out after seconds, not at the end of the run."""


@dataclass
class BulkReport:
    """What a run found, drafted and wrote.

    Attributes:
        results: One result per documented symbol, in file order.
        files: Files read and parsed.
        skipped: Files not read, counted by reason.
        skipped_paths: ``(path, reason)`` of each file not read (or not written because it
            turned out to lie outside the repository), as the walker names them.
        written: Files written.
        refused: ``path: why`` for edits refused (would not parse, would not land).
        changed: Files left alone because they changed on disk during the run.
        low_confidence: Drafts whose confidence is below the confidence floor: not written
            with ``write``, still listed and shown in a diff (see
            :meth:`low_confidence_message`).
        floor: That floor (``PipelineSettings.confidence_floor``).
        errors: Other problems (``path: message``).
        notes: Run-wide notes (no index, cache discarded, ...).
        diff: Unified diff of every planned edit (when asked for).
        seconds: Wall time of the run.
    """

    results: list[DocResult] = field(default_factory=list)
    files: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_paths: list[tuple[str, str]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    low_confidence: int = 0
    floor: float = 0.0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    diff: str = ""
    seconds: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        """Summary counts for the CLI's closing line."""
        drafted = [r for r in self.results if r.action == "insert"]
        return {
            "files": self.files,
            "skipped": sum(self.skipped.values()),
            "missing": len(drafted),
            "stale": sum(1 for r in self.results if r.action == "update"),
            "cached": sum(1 for r in drafted if r.cached),
            "written": len(self.written),
            "refused": len(self.refused),
            "changed": len(self.changed),
            "low_confidence": self.low_confidence,
            "errors": len(self.errors),
        }

    def low_confidence_message(self, write: bool = True) -> str:
        """The closing line's words for drafts below the floor, or "" if none: ``3 drafts
        below the confidence floor 0.60, not written (--min-confidence 0 writes them)``;
        without ``write`` (a listing or a diff, which show them) ``3 drafts below the
        confidence floor 0.60: --write leaves them out (--min-confidence 0 writes them)``."""
        n = self.low_confidence
        if not n:
            return ""
        what = ", not written" if write else ": --write leaves them out"
        return (
            f"{n} draft{'s' if n != 1 else ''} below the confidence floor {self.floor:.2f}"
            f"{what} (--min-confidence 0 writes them)"
        )

    def skip(self, rel: str, reason: str, detail: str = "") -> None:
        """Count a file not read (or not written) under ``reason`` and name it."""
        self.skipped[reason] += 1
        self.skipped_paths.append((rel, f"{reason}: {detail}" if detail else reason))

    @property
    def exit_code(self) -> int:
        """0: all went as planned; 1: an edit was refused, a file changed, or an error."""
        return 1 if (self.refused or self.changed or self.errors) else 0


@dataclass
class _File:
    rel: str
    path: Path  # its real location, inside the root
    read: SourceText
    parsed: ParsedFile
    missing: list[Target] = field(default_factory=list)
    stale: list[tuple[Symbol, StaleFinding]] = field(default_factory=list)

    @property
    def source(self) -> bytes:
        """What the parser read (UTF-8); edits are planned on it."""
        return self.read.data


def wants_docstring(symbol: Symbol, settings: PipelineSettings, kinds: dict[str, str]) -> bool:
    """Whether ``generate`` drafts a docstring for ``symbol``.

    The same rule as ``docgen check`` (``indexer.coverage.counts``) with the same
    ``[tool.docgen]`` options, so ``generate`` fills exactly what ``check`` reports;
    modules only with ``include_module``, and never a definition tree-sitter could not
    parse cleanly.
    """
    from indexer.coverage import COUNTING_FLAGS, CheckOptions, counts

    if symbol.docstring or symbol.has_errors:
        return False
    options = CheckOptions(**{name: getattr(settings, name) for name in COUNTING_FLAGS})
    return counts(symbol, kinds, options)


def document_paths(
    pipeline: DocPipeline,
    paths: list[Path],
    mode: str = "missing",
    write: bool = False,
    diff: bool = False,
    progress: BulkProgress | None = None,
    hold_back: bool | None = None,
    on_result: Callable[[DocResult], None] | None = None,
) -> BulkReport:
    """Document the files under ``paths`` with ``pipeline``.

    Args:
        pipeline: The pipeline (its root is the repository).
        paths: Files or folders inside the repository.
        mode: One of :data:`MODES`.
        write: Apply the edits to the files (atomically, after checks).
        diff: Collect a unified diff of the edits in the report.
        progress: Progress callback.
        hold_back: Leave drafts below the confidence floor out of the edits (default:
            when writing; ``generate --check`` asks for it without writing, so that it
            reports exactly what ``--write`` would change).
        on_result: Called with each result as soon as it is final (its file finished:
            checked, diffed, written), in the order of ``BulkReport.results``.

    Raises:
        ValueError: Unknown ``mode``.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    started = time.perf_counter()
    report = BulkReport(floor=pipeline.settings.confidence_floor)
    tick = progress or (lambda stage, advance, total: None)
    if pipeline.settings.update_index:
        _update_index(pipeline, report)
    files = _read_files(pipeline, paths, mode, report, tick)
    total = sum(len(f.missing) for f in files)
    hold = write if hold_back is None else hold_back
    tick("draft", 0, total)
    tick("write", 0, len(files))
    chunk = _PROGRESSIVE_CHUNK if on_result is not None else _DRAFT_CHUNK
    for group in _groups(files, chunk):
        targets = [t for f in group for t in f.missing]
        summaries = _draft(pipeline, targets, lambda n: tick("draft", n, total))
        for item in group:
            done = len(report.results)
            try:
                _finish_file(pipeline, item, summaries, report, write, diff, hold)
            except Exception as exc:  # noqa: BLE001 - one bad file never stops the run
                report.errors.append(f"{item.rel}: {type(exc).__name__}: {exc}")
            tick("write", 1, len(files))
            if on_result is not None:
                for result in report.results[done:]:
                    on_result(result)
    report.notes = list(dict.fromkeys([*report.notes, *pipeline.notes()]))
    report.seconds = time.perf_counter() - started
    return report


def _update_index(pipeline: DocPipeline, report: BulkReport) -> None:
    try:
        pipeline.update_index()
    except Exception as exc:  # noqa: BLE001 - drafting still works from the files
        report.notes.append(f"index update failed ({exc}); using the index as it is")


def _read_files(
    pipeline: DocPipeline, paths: list[Path], mode: str, report: BulkReport, tick: BulkProgress
) -> list[_File]:
    from indexer.parser import SkipFile, parse_source, read_source_file
    from indexer.walker import WalkOptions, select

    settings = pipeline.settings
    selection = select(paths, pipeline.root, WalkOptions(settings.exclude, settings.max_file_bytes))
    report.skipped.update(selection.skipped)
    report.skipped_paths.extend(selection.skipped_paths)
    files = []
    indexed = pipeline.indexed_files()
    tick("parse", 0, len(selection.files))
    for rel, path in sorted(selection.files.items()):
        tick("parse", 1, len(selection.files))
        real = _real_path(pipeline, rel, path, report)
        if real is None:
            continue
        try:
            read = read_source_file(real, settings.max_file_bytes)
            parsed = indexed.parse(rel, read.data) or parse_source(read.data, rel)
        except SkipFile as exc:
            report.skip(rel, exc.reason, exc.detail)
            continue
        except Exception as exc:  # noqa: BLE001
            report.errors.append(f"{rel}: cannot parse: {exc}")
            continue
        report.files += 1
        item = _collect(pipeline, rel, real, read, parsed, mode)
        if item.missing or item.stale:
            # A file that does not parse is never edited: refuse it once, before drafting.
            reason = unparsable_reason(read.data, rel, parsed.language)
            if reason is not None:
                report.refused.append(f"{rel}: {reason}")
                continue
        files.append(item)
    return files


def _real_path(pipeline: DocPipeline, rel: str, path: Path, report: BulkReport) -> Path | None:
    """The real location of a repository file right before it is read or written, or
    ``None`` (skipped and reported) when that is outside the repository."""
    from indexer.walker import OUTSIDE, inside

    real = inside(path, pipeline.root)
    if real is None:
        report.skip(rel, OUTSIDE)
    return real


def encode_source(data: bytes, encoding: str, rel: str) -> bytes:
    """Return edited UTF-8 ``data`` in the file's own ``encoding`` (``SourceText.encoding``).

    Raises:
        EditRefused: The encoding cannot hold a character of the edit (or the encoded file
            would not parse as Python reads it); nothing of the file is written.
    """
    if encoding in ("utf-8", "utf-8-sig"):
        return data  # the file's own bytes were edited (a BOM kept)
    import ast
    import warnings

    text = data.decode("utf-8")
    try:
        encoded = text.encode(encoding)
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise EditRefused(
            f"{rel}: edit refused: {encoding}, the encoding its coding cookie declares, cannot "
            f"hold {ascii(text[exc.start])} (line {line}); the file is left as it is"
        ) from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(encoded)
    except (SyntaxError, ValueError) as exc:
        raise EditRefused(
            f"{rel}: edit refused: in {encoding} the result would not parse ({exc})"
        ) from exc
    return encoded


def _collect(
    pipeline: DocPipeline, rel: str, path: Path, read: SourceText, parsed: ParsedFile, mode: str
) -> _File:
    from indexer.text import symbol_source

    item = _File(rel, path, read, parsed)
    source = item.source
    kinds = {s.qualname: s.kind for s in parsed.symbols}
    classes = {s.name: symbol_source(source, s) for s in parsed.symbols if s.kind == "class"}
    silenced = suppressions_of(source, rel, parsed)
    for symbol in parsed.symbols:
        if mode in ("missing", "all") and wants_docstring(symbol, pipeline.settings, kinds):
            if not _silenced(silenced, MISSING_CODE, symbol):
                target = Target(rel, source, parsed, symbol, symbol_source(source, symbol))
                item.missing.append(target)
        elif mode in ("stale", "all") and symbol.docstring:
            finding = check_symbol(symbol, pipeline.style_for("python"), source, classes)
            if finding is not None and not _all_silenced(finding, silenced, symbol):
                item.stale.append((symbol, finding))
    return item


def _all_silenced(finding: StaleFinding, silenced: Suppressions | None, symbol: Symbol) -> bool:
    """Whether ``# docgen: ignore`` directives silence every code of a stale finding (the
    docstring is then left as it is, as ``docgen check`` does not report it)."""
    return bool(finding.findings) and all(
        _silenced(silenced, each.code, symbol) for each in finding.findings
    )


def _silenced(silenced: Suppressions | None, code: str, symbol: Symbol) -> bool:
    if silenced is None:
        return False
    return silenced.rule_for(code, symbol.qualname, symbol.line) is not None


SummaryKey = tuple[str, str, int]
"""``(path, qualname, n)``: the n-th definition of that qualname in the file (see
:func:`summary_key`)."""


def summary_key(target: Target) -> SummaryKey:
    """Where a target's drafted summary is kept during a run: its path, its qualname and
    how many definitions of the same qualname come before it in the file.

    A qualname alone is not unique (overloads, a property's getter and setter, the two
    branches of ``if sys.version_info ...: def f(): ... else: def f(): ...``), and a byte
    offset is not stable: a file that changed during the run is re-parsed and re-planned
    with the summaries already drafted (:func:`_write`).
    """
    symbol = target.symbol
    before = sum(
        1
        for other in target.parsed.symbols
        if other.qualname == symbol.qualname and other.span.start_byte < symbol.span.start_byte
    )
    return (target.path, symbol.qualname, before)


def _groups(files: list[_File], size: int) -> list[list[_File]]:
    """Consecutive files with about ``size`` symbols to draft per group (a larger file
    is a group of its own), in order."""
    groups: list[list[_File]] = [[]]
    count = 0
    for item in files:
        if groups[-1] and count + len(item.missing) > size:
            groups.append([])
            count = 0
        groups[-1].append(item)
        count += len(item.missing)
    return [group for group in groups if group]


def _draft(
    pipeline: DocPipeline, targets: list[Target], advance: Callable[[int], None]
) -> dict[SummaryKey, tuple[Refined, bool]]:
    out: dict[SummaryKey, tuple[Refined, bool]] = {}
    for start in range(0, len(targets), _DRAFT_CHUNK):
        chunk = targets[start : start + _DRAFT_CHUNK]
        refined = pipeline.summaries(chunk, None, advance)
        for target, item in zip(chunk, refined, strict=True):
            out[summary_key(target)] = item
    return out


def _plan(
    pipeline: DocPipeline,
    item: _File,
    summaries: dict[SummaryKey, tuple[Refined, bool]],
    report: BulkReport | None,
    edits: bool = True,
) -> list[tuple[DocResult, TextEdit | None]]:
    """Plan the results and (with ``edits``) the edits of one file, from its current bytes."""
    planned: list[tuple[DocResult, TextEdit | None]] = []
    for target in item.missing:
        summary = summaries.get(summary_key(target))
        if summary is None:
            continue
        result = pipeline.result_for(target, summary)
        if not edits:
            planned.append((result, None))
            continue
        try:
            edit = pipeline.insertion_edit(item.source, target.symbol, result)
        except EditRefused as exc:
            if report is not None:
                report.results.append(result)
                report.refused.append(f"{item.rel}: {exc}")
            continue
        planned.append((result, edit))
    for symbol, finding in item.stale:
        try:
            planned.append(pipeline.stale_result(item.rel, item.source, symbol, finding))
            manual = sorted({f.code for f in finding.findings if not f.fixable})
            if manual and report is not None:  # the fixable ones are fixed; these are not
                report.notes.append(
                    f"{item.rel}: {symbol.qualname}: fix {', '.join(manual)} by hand"
                )
        except EditRefused as exc:
            if report is not None:
                report.refused.append(f"{item.rel}: {exc}")
    planned.sort(key=lambda pair: pair[0].line)
    return planned


def _checked(
    item: _File, planned: list[tuple[DocResult, TextEdit]], report: BulkReport
) -> tuple[list[tuple[DocResult, TextEdit]], bytes]:
    """Return the edits that pass the checks (all together, else one by one)."""
    kept, edited, refused = check_together(
        item.source,
        item.rel,
        item.parsed.language,
        [(result.qualname, result.docstring, edit) for result, edit in planned],
    )
    for qualname, why in refused:
        where = f"{item.rel}: {qualname}" if qualname else item.rel
        report.refused.append(f"{where}: {why}")
    return [planned[i] for i in kept], edited


def _finish_file(
    pipeline: DocPipeline,
    item: _File,
    summaries: dict[SummaryKey, tuple[Refined, bool]],
    report: BulkReport,
    write: bool,
    diff: bool,
    hold_back: bool,
) -> None:
    planned = _plan(pipeline, item, summaries, report, edits=write or diff)
    report.results.extend(result for result, _ in planned)
    report.low_confidence += sum(1 for result, _ in planned if result.below_floor)
    if not (write or diff):
        return  # drafts only: no edit to plan or check
    # the floor holds drafts back from the files (and --check); a diff shows every draft
    writable = [(r, e) for r, e in planned if e is not None and not (hold_back and r.below_floor)]
    if not writable:
        return
    kept, edited = _checked(item, writable, report)
    if not kept:
        return
    try:
        encoded = encode_source(edited, item.read.encoding, item.rel)
    except EditRefused as exc:
        report.refused.append(str(exc))
        return
    if diff:
        report.diff += unified_diff(item.rel, item.source, edited)
    if write:
        _write(pipeline, item, summaries, encoded, report)


def _write(
    pipeline: DocPipeline,
    item: _File,
    summaries: dict[SummaryKey, tuple[Refined, bool]],
    encoded: bytes,
    report: BulkReport,
) -> None:
    """Write ``encoded`` (the edited file in its own encoding) over ``item``'s real path."""
    real = _real_path(pipeline, item.rel, item.path, report)
    if real is None:
        return
    try:
        atomic_write(real, encoded, content_hash(item.read.raw))
        report.written.append(item.rel)
        return
    except ConcurrentChangeError:
        pass
    # changed since it was read: re-read, re-plan with the same summaries, try once more
    from indexer.parser import SkipFile, parse_source, read_source_file

    real = _real_path(pipeline, item.rel, item.path, report)
    if real is None:
        return
    try:
        read = read_source_file(real, pipeline.settings.max_file_bytes)
    except SkipFile as exc:
        report.changed.append(f"{item.rel}: changed during the run and is now {exc}")
        return
    mode = "all" if item.stale else "missing"
    parsed = parse_source(read.data, item.rel)
    fresh = _collect(pipeline, item.rel, real, read, parsed, mode)
    planned = [p for p in _plan(pipeline, fresh, summaries, None) if not p[0].below_floor]
    kept, new_bytes = _checked(fresh, planned, report)
    if not kept:
        return
    try:
        new_encoded = encode_source(new_bytes, read.encoding, item.rel)
    except EditRefused as exc:
        report.refused.append(str(exc))
        return
    real = _real_path(pipeline, item.rel, real, report)
    if real is None:
        return
    try:
        atomic_write(real, new_encoded, content_hash(read.raw))
        report.written.append(item.rel)
    except ConcurrentChangeError as exc:
        report.changed.append(f"{item.rel}: {exc}")


def unified_diff(rel: str, before: bytes, after: bytes) -> str:
    """Return a unified diff of one file (``a/``, ``b/`` prefixes, like git)."""
    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, f"a/{rel}", f"b/{rel}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
