"""The one rule for "does this symbol need a docstring?", and coverage over paths.

:func:`counts` (does a symbol count under :class:`CheckOptions`) and
:func:`needs_docstring` / :func:`missing_docstrings` (counts and has none) are the only
home of that decision: ``docgen check``, ``docgen generate`` and the language server's
diagnostics and code actions all call them, with options built from ``[tool.docgen]``
(:func:`counting_options` for front ends without click).

``# docgen: ignore`` comments (:mod:`indexer.suppressions`) that cover ``DG001`` take a
symbol out of the count; :func:`check_paths` lists the undocumented ones as ignored.

Parses with tree-sitter only: no model, no torch, no FAISS, so it is fast enough for a
pre-commit hook. Files are selected with the same excludes as the index, also when they
are named explicitly (as pre-commit does).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.config import ConfigError
from indexer.languages import UnsupportedLanguage
from indexer.parser import DEFAULT_MAX_FILE_BYTES, SkipFile, parse_source, read_source
from indexer.suppressions import MARKER, Suppressions, suppressions_of
from indexer.symbols import ParsedFile, Symbol, SymbolOutline, is_private_name
from indexer.walker import WalkOptions, select

# Languages whose file-level documentation the parser reads (a Python module docstring, a
# Go package comment, Rust ``//!``). Elsewhere (JavaScript, TypeScript, Java) no module doc is
# ever seen, so counting the module would report a docstring nobody can add.
MODULE_DOC_LANGUAGES = frozenset({"python", "go", "rust"})

COUNTING_FLAGS = (
    "include_private",
    "include_magic",
    "include_nested",
    "include_init",
    "include_property_setters",
    "include_module",
    "include_stubs",
)
"""The :class:`CheckOptions` fields that decide what counts (``[tool.docgen]`` keys)."""
MISSING_CODE = "DG001"
"""The finding code of a missing docstring (what ``# docgen: ignore[DG001]`` silences)."""
STUB_SUFFIX = ".pyi"
"""Files with this suffix are type stubs: documented in the module they describe."""


@dataclass
class CheckOptions:
    """What counts as a symbol that needs a docstring.

    Attributes:
        include_private: Count ``_private`` names (and members of private classes; in Go,
            unexported lower-case names).
        include_magic: Count dunder methods such as ``__call__`` (not ``__init__``).
        include_nested: Count functions and classes defined inside functions.
        include_init: Count ``__init__`` methods.
        include_property_setters: Count ``@x.setter`` / ``@x.deleter`` methods.
        include_module: Count modules (module docstrings), in the languages whose parser
            reads a file-level doc (:data:`MODULE_DOC_LANGUAGES`).
        include_stubs: Count what is only a declaration: everything in ``.pyi`` stub files,
            and functions whose body is only ``...``, which includes methods of a
            ``Protocol`` or an abstract base class written that way (``typing.overload``
            declarations never count, whatever this says).
        fail_under: Minimum coverage percentage for :attr:`CoverageReport.passed`.
        exclude: Gitignore-style patterns relative to the root; never checked.
        respect_gitignore: Honour ``.gitignore`` files.
        max_file_bytes: Larger files are skipped.
        languages: Only these languages (``None``: all supported).
    """

    include_private: bool = False
    include_magic: bool = False
    include_nested: bool = False
    include_init: bool = False
    include_property_setters: bool = False
    include_module: bool = True
    include_stubs: bool = False
    fail_under: float = 0.0
    exclude: list[str] = field(default_factory=list)
    respect_gitignore: bool = True
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    languages: list[str] | None = None


@dataclass(frozen=True)
class Missing:
    """An undocumented symbol, located for editors (1-based line and column)."""

    path: str
    line: int
    col: int
    kind: str
    qualname: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col} {self.kind} {self.qualname}"


@dataclass
class CoverageReport:
    """Counts and the undocumented symbols of a check.

    Symbols silenced by a ``# docgen: ignore`` directive that covers :data:`MISSING_CODE`
    are left out of :attr:`total` and :attr:`documented`; the undocumented ones among them
    are listed in :attr:`ignored` instead of :attr:`missing`. :attr:`suppressions` keeps
    the directives of each file that has any, for the findings of other checks.
    """

    files: int = 0
    total: int = 0
    documented: int = 0
    missing: list[Missing] = field(default_factory=list)
    ignored: list[Missing] = field(default_factory=list)
    suppressions: dict[str, Suppressions] = field(default_factory=dict, repr=False)
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_paths: list[tuple[str, str]] = field(default_factory=list)
    files_with_errors: list[str] = field(default_factory=list)
    fail_under: float = 0.0

    @property
    def coverage(self) -> float:
        """Documented share of counted symbols, in percent (100 when nothing counts)."""
        return 100.0 if self.total == 0 else 100.0 * self.documented / self.total

    @property
    def passed(self) -> bool:
        """Coverage is at or above ``fail_under``."""
        return round(self.coverage, 6) >= self.fail_under

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "coverage": round(self.coverage, 2),
            "documented": self.documented,
            "total": self.total,
            "files": self.files,
            "fail_under": self.fail_under,
            "passed": self.passed,
            "missing": [vars(item) for item in self.missing],
            "ignored": [vars(item) for item in self.ignored],
            "skipped": dict(self.skipped),
            "files_with_errors": self.files_with_errors,
        }


def counts(symbol: Symbol | SymbolOutline, kinds: dict[str, str], options: CheckOptions) -> bool:
    """Whether ``symbol`` needs a docstring under ``options``.

    Args:
        symbol: The symbol (or its outline).
        kinds: Qualname -> kind of the symbols of the same file (to see nesting).
        options: What counts.
    """
    if not options.include_stubs and (symbol.is_stub or symbol.path.endswith(STUB_SUFFIX)):
        return False
    if symbol.kind == "module":
        return options.include_module and symbol.language in MODULE_DOC_LANGUAGES
    if symbol.is_overload:  # typing.overload, by whatever name it was imported
        return False
    if symbol.name == "__init__":
        if not options.include_init:
            return False
    elif symbol.is_magic and not options.include_magic:
        return False
    if not options.include_private:
        parts = symbol.qualname.split(".")
        if any(is_private_name(part, symbol.language) for part in parts):
            return False
    if not options.include_property_setters and any(
        d.endswith((".setter", ".deleter")) for d in symbol.decorators
    ):
        return False
    if not options.include_nested and _nested_in_function(symbol, kinds):
        return False
    return True


def needs_docstring(symbol: Symbol, parsed: ParsedFile, options: CheckOptions) -> bool:
    """Whether ``symbol`` of ``parsed`` counts under ``options`` and has no docstring."""
    if symbol.docstring:
        return False
    return counts(symbol, {s.qualname: s.kind for s in parsed.symbols}, options)


def missing_docstrings(parsed: ParsedFile, options: CheckOptions) -> list[Symbol]:
    """The symbols of ``parsed`` that need a docstring (what ``docgen check`` reports)."""
    kinds = {symbol.qualname: symbol.kind for symbol in parsed.symbols}
    return [s for s in parsed.symbols if not s.docstring and counts(s, kinds, options)]


def counting_options(table: dict[str, Any]) -> CheckOptions:
    """The counting rules of a ``[tool.docgen]`` table, read as ``docgen check`` reads them.

    Only :data:`COUNTING_FLAGS` are taken (absent ones keep their defaults); values are
    booleans, or the strings click accepts for a boolean flag (``"yes"``, ``"off"``...).

    Raises:
        ConfigError: A flag has a value that is not a boolean.
    """
    options = CheckOptions()
    for name in COUNTING_FLAGS:
        if name in table:
            setattr(options, name, _boolean(name, table[name]))
    return options


_TRUE = ("1", "true", "t", "yes", "y", "on")
_FALSE = ("0", "false", "f", "no", "n", "off", "")


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = value.strip().lower() if isinstance(value, str) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"[tool.docgen] {name} must be true or false, got {value!r}")


def _nested_in_function(symbol: Symbol | SymbolOutline, kinds: dict[str, str]) -> bool:
    parent = symbol.parent
    while parent:
        if kinds.get(parent) in ("function", "method"):
            return True
        parent = parent.rpartition(".")[0] or None
    return False


def check_paths(
    paths: Iterable[Path | str],
    options: CheckOptions | None = None,
    root: Path | None = None,
    use_index: bool = True,
    workers: int | None = None,
) -> CoverageReport:
    """Measure docstring coverage of the files under ``paths``.

    Files whose content hash matches ``<root>/.docgen/`` take their symbols from the index
    (read-only); the others are parsed, in worker processes when there are many.

    Args:
        paths: Files or folders.
        options: What counts, and the excludes.
        root: Repository root for relative paths and excludes (default: working dir).
        use_index: Reuse symbols of unchanged files from an existing index.
        workers: Parser processes (default: CPU count, at most 4; 1 parses in-process).
    """
    options = options or CheckOptions()
    root = Path(root or Path.cwd()).resolve()
    walk_options = WalkOptions(
        exclude=list(options.exclude),
        max_file_bytes=options.max_file_bytes,
        respect_gitignore=options.respect_gitignore,
        languages=options.languages,
    )
    found = select([Path(p) for p in paths], root, walk_options)
    report = CoverageReport(skipped=Counter(found.skipped), fail_under=options.fail_under)
    report.skipped_paths = list(found.skipped_paths)
    cached = _from_index(root, found.files) if use_index else {}
    to_parse = [(rel, path) for rel, path in found.files.items() if rel not in cached]
    results: dict[str, tuple[list[SymbolOutline], bool] | SkipFile] = dict(cached)
    results.update(_parse_all(to_parse, root, options.max_file_bytes, workers))
    for rel in sorted(results):
        result = results[rel]
        if isinstance(result, SkipFile):
            report.skipped[result.reason] += 1
            report.skipped_paths.append((rel, result.reason))
            continue
        symbols, has_errors = result
        report.files += 1
        if has_errors:
            report.files_with_errors.append(rel)
        silenced = file_suppressions(found.files[rel], rel, options.max_file_bytes)
        if silenced is not None:
            report.suppressions[rel] = silenced
        _count_file(rel, symbols, options, report, silenced)
    return report


def file_suppressions(path: Path, rel: str, max_bytes: int) -> Suppressions | None:
    """The ``# docgen: ignore`` directives of file ``path`` (``None``: it has none)."""
    try:
        data = path.read_bytes()
        if MARKER not in data:
            return None
        return suppressions_of(data if data.isascii() else read_source(path, max_bytes), rel)
    except (OSError, SkipFile):
        return None


def _count_file(
    rel: str,
    symbols: list[SymbolOutline],
    options: CheckOptions,
    report,
    silenced: Suppressions | None = None,
) -> None:
    kinds = {symbol.qualname: symbol.kind for symbol in symbols}
    for symbol in symbols:
        if not counts(symbol, kinds, options):
            continue
        item = Missing(rel, symbol.line, symbol.col, symbol.kind, symbol.qualname)
        if silenced is not None and silenced.rule_for(MISSING_CODE, symbol.qualname, symbol.line):
            if not symbol.documented:
                report.ignored.append(item)
            continue
        report.total += 1
        if symbol.documented:
            report.documented += 1
        else:
            report.missing.append(item)


def _parse_one(
    args: tuple[str, Path, Path, int],
) -> tuple[str, tuple[list[SymbolOutline], bool] | SkipFile]:
    rel, path, _root, max_bytes = args
    try:  # the walker already knows ``rel``: no path resolving per file
        parsed = parse_source(read_source(path, max_bytes), rel, outline=True)
    except SkipFile as exc:
        return rel, exc
    except UnsupportedLanguage as exc:
        return rel, SkipFile("unsupported", str(exc))
    return rel, ([SymbolOutline.of(symbol) for symbol in parsed.symbols], parsed.has_errors)


_PARALLEL_MIN_FILES = 48


def _parse_all(items, root: Path, max_bytes: int, workers: int | None):
    jobs = [(rel, path, root, max_bytes) for rel, path in items]
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers <= 1 or len(jobs) < _PARALLEL_MIN_FILES:
        return dict(map(_parse_one, jobs))
    from concurrent.futures import ProcessPoolExecutor

    from indexer.processes import worker_context

    try:
        with ProcessPoolExecutor(workers, mp_context=worker_context()) as pool:
            return dict(pool.map(_parse_one, jobs, chunksize=16))
    except (OSError, RuntimeError):  # no process support (sandbox): parse here
        return dict(map(_parse_one, jobs))


def _from_index(root: Path, files: dict[str, Path]) -> dict[str, tuple[list[SymbolOutline], bool]]:
    """Symbols of files whose size and mtime, or content hash, match the index."""
    from indexer.store import IndexStore, IndexUnavailable

    if not (root / ".docgen" / "index.sqlite").is_file():
        return {}
    try:
        store = IndexStore.open(root)
    except IndexUnavailable:
        return {}
    try:
        records = store.file_records()
        fresh = []
        for rel, path in files.items():
            record = records.get(rel)
            if record is None or not _unchanged(path, record):
                continue
            fresh.append(rel)
        return store.outline(fresh)
    except Exception:  # noqa: BLE001 - a broken index only means: parse instead
        return {}
    finally:
        store.close()


def _unchanged(path: Path, record) -> bool:
    from indexer.store import content_hash

    try:
        stat = path.stat()
        if stat.st_size == record.size and stat.st_mtime_ns == record.mtime_ns:
            return True
        return stat.st_size == record.size and content_hash(path.read_bytes()) == record.hash
    except OSError:
        return False
