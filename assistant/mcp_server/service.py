"""What the MCP tools do, without MCP: plain methods over the core that return JSON-ready
dicts (the server in :mod:`assistant.mcp_server.server` only declares and wires them).

The pipeline (and with it the drafting model and the embedder) is made on the first call
that needs it: ``list_undocumented``, ``check`` and the coverage resource read files and
the index only. Every path is confined to the root first (:mod:`.confine`).
"""

from __future__ import annotations

import ast
import difflib
import inspect
import re
import threading
import warnings
from pathlib import Path
from typing import Any

from assistant.edits import (
    ConcurrentChangeError,
    apply_edits,
    atomic_write,
    check_edited,
    content_hash,
)
from assistant.mcp_server.confine import OutsideRoot, confine, confine_glob
from assistant.mcp_server.search import SymbolSearch
from assistant.pipeline import DocPipeline, DocResult, EditRefused, PipelineSettings
from assistant.prompt import first_sentence
from indexer.coverage import CheckOptions, CoverageReport, check_paths
from indexer.symbols import ParsedFile, Symbol

__all__ = ["DocService", "OutsideRoot", "Refused", "ToolProblem", "signature"]

MAX_DOCSTRING_CHARS = 20_000
CODE_PATTERN = re.compile(r"^DG\d{0,3}$")
MISSING_CODE = "DG001"
FINDING_FIELDS = ("code", "message", "path", "line", "column", "qualname", "fixable")


class ToolProblem(ValueError):
    """A request that cannot be answered as asked (unknown symbol, no index, a file that
    cannot be read); the message says what to do next."""


class Refused(ToolProblem):
    """A write that was refused; nothing was written."""


def signature(symbol: Symbol) -> str:
    """A one-line signature such as ``def f(a: int = 1) -> str`` (``class C``, ``module m``)."""
    if symbol.kind == "module":
        return f"module {symbol.qualname}"
    params = []
    for param in symbol.parameters:
        text = {"var_positional": "*", "var_keyword": "**"}.get(param.kind, "") + param.name
        if param.annotation:
            text += f": {param.annotation}"
        if param.default is not None:
            text += f" = {param.default}" if param.annotation else f"={param.default}"
        params.append(text)
    if symbol.kind == "class":
        return f"class {symbol.qualname}" + (f"({', '.join(params)})" if params else "")
    keyword = "def" if symbol.language == "python" else "function"
    text = f"{'async ' if symbol.is_async else ''}{keyword} {symbol.qualname}({', '.join(params)})"
    return text + (f" -> {symbol.returns}" if symbol.returns else "")


def _unified_diff(rel: str, before: bytes, after: bytes) -> str:
    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, f"a/{rel}", f"b/{rel}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _without_docstrings(source: bytes) -> str:
    """The file's syntax tree with every docstring removed, as text (for comparing)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                del body[0]
    return ast.dump(tree)


class DocService:
    """The repository at ``root`` as the MCP tools see it.

    Args:
        root: Repository root (every path is confined to it).
        settings: Pipeline settings (``[tool.docgen]`` and the command's flags).
        check_options: What counts as needing a docstring (``docgen check``'s rules).
        allow_write: ``apply_docstring`` may write files.
    """

    def __init__(
        self,
        root: Path,
        settings: PipelineSettings | None = None,
        check_options: CheckOptions | None = None,
        allow_write: bool = False,
    ) -> None:
        self.root = Path(root).resolve()
        self.settings = settings or PipelineSettings()
        self.check_options = check_options or CheckOptions()
        self.allow_write = allow_write
        self._pipelines: dict[str, DocPipeline] = {}
        self._lock = threading.Lock()
        self._search = SymbolSearch(self.root, self.settings.max_file_bytes)

    # --- the lazily made pipelines ----------------------------------------------------

    def pipeline(self, style: str | None = None) -> DocPipeline:
        """The pipeline for ``style`` (None: the configured one), made on first use; the
        pipelines of other styles share the first one's model."""
        wanted = style or self.settings.style
        with self._lock:
            if wanted in self._pipelines:
                return self._pipelines[wanted]
            first = next(iter(self._pipelines.values()), None)
        generator = first.generator if first is not None else None  # loads outside the lock
        with self._lock:
            if wanted not in self._pipelines:
                settings = PipelineSettings(**{**vars(self.settings), "style": wanted})
                self._pipelines[wanted] = DocPipeline(self.root, settings, generator=generator)
            return self._pipelines[wanted]

    @property
    def model_loaded(self) -> bool:
        """Whether a drafting model is loaded (never loads one)."""
        return any(p.loaded_generator is not None for p in self._pipelines.values())

    def close(self) -> None:
        """Release the pipelines."""
        with self._lock:
            pipelines, self._pipelines = list(self._pipelines.values()), {}
        for pipeline in pipelines:
            pipeline.close()

    # --- reading a file -----------------------------------------------------------------

    def _read(self, path: str) -> tuple[str, Path, Any, ParsedFile]:
        from indexer.languages import UnsupportedLanguage
        from indexer.parser import SkipFile, parse_source, read_source_file

        rel, real = confine(self.root, path)
        if not real.is_file():
            raise ToolProblem(f"{rel}: no such file in the repository")
        try:
            read = read_source_file(real, self.settings.max_file_bytes)
            parsed = parse_source(read.data, rel)
        except SkipFile as exc:
            raise ToolProblem(f"{rel}: skipped: {exc.reason}") from exc
        except UnsupportedLanguage as exc:
            raise ToolProblem(f"{rel}: {exc}") from exc
        return rel, real, read, parsed

    @staticmethod
    def _symbol(parsed: ParsedFile, rel: str, qualname: str) -> Symbol:
        if not isinstance(qualname, str) or not qualname:
            raise ToolProblem("qualname must be a non-empty string such as 'Class.method'")
        for symbol in parsed.symbols:
            if symbol.qualname == qualname:
                return symbol
        names = [s.qualname for s in parsed.symbols]
        close = difflib.get_close_matches(qualname, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ToolProblem(f"{rel}: no symbol {qualname!r}{hint} (search_symbols finds names)")

    def _describe(self, rel: str, symbol: Symbol) -> dict[str, Any]:
        return {
            "path": rel,
            "qualname": symbol.qualname,
            "kind": symbol.kind,
            "line": symbol.line,
            "signature": signature(symbol),
        }

    # --- tools --------------------------------------------------------------------------

    def search_symbols(self, query: str, k: int = 10) -> dict[str, Any]:
        """Symbols whose name contains the query's words (best match first), then the
        nearest by meaning (the index's FAISS vectors), documented or not."""
        query = query.strip() if isinstance(query, str) else ""
        if not query:
            raise ToolProblem("query must be a non-empty string")
        pipeline = self.pipeline()
        store = pipeline.store
        if store is None:
            raise ToolProblem(
                f"no index at {self.root / '.docgen'}: run `docgen index {self.root}` first"
            )
        notes: list[str] = []
        found: dict[tuple[str, str, int], dict[str, Any]] = {}
        for symbol, score in self._search.by_name(store, query):
            found[(symbol.path, symbol.qualname, symbol.line)] = self._hit(symbol, score, "name")
        try:
            embedder = pipeline.index.embedder()
            for symbol, score in self._search.by_meaning(store, embedder, query, k, notes):
                key = (symbol.path, symbol.qualname, symbol.line)
                if key in found:
                    found[key]["match"] = "name+semantic"
                else:
                    found[key] = self._hit(symbol, round(score, 4), "semantic")
        except Exception as exc:  # noqa: BLE001 - name search still answers
            notes.append(f"semantic search unavailable ({exc}); name matches only")
        ranked = sorted(
            found.values(),
            key=lambda h: (h["match"] == "semantic", -h["score"], h["path"], h["line"]),
        )
        return {"query": query, "results": ranked[:k], "notes": notes}

    def _hit(self, symbol: Symbol, score: float, match: str) -> dict[str, Any]:
        return {
            **self._describe(symbol.path, symbol),
            "documented": bool(symbol.docstring),
            "summary": first_sentence(symbol.docstring) if symbol.docstring else None,
            "score": score,
            "match": match,
        }

    def get_documentation(self, path: str, qualname: str) -> dict[str, Any]:
        """The symbol's docstring, or a draft (marked ``source: draft``) when it has none."""
        rel, _real, read, parsed = self._read(path)
        symbol = self._symbol(parsed, rel, qualname)
        out = self._describe(rel, symbol)
        if symbol.docstring:
            return {
                **out,
                "documented": True,
                "source": "existing",
                "docstring": symbol.docstring,
                "confidence": None,
                "record": None,
                "notes": [],
            }
        result = self.pipeline().document_symbol(rel, read.data, symbol)
        return {
            **out,
            "documented": False,
            "source": "draft",
            "docstring": result.docstring,
            "confidence": result.to_json()["confidence"],
            "record": result.to_json(),
            "notes": list(result.notes),
        }

    def coverage(self, paths: list[str] | None = None) -> CoverageReport:
        """``docgen check``'s coverage report of ``paths`` (default: the whole root)."""
        return check_paths(self._targets(paths), self.check_options, root=self.root)

    def _targets(self, paths: list[str] | None) -> list[Path]:
        """``paths`` (default: the root) confined to the root; each must exist."""
        targets = []
        for path in paths or ["."]:
            rel, real = confine(self.root, path, "paths")
            if not real.exists():
                raise ToolProblem(f"{rel}: no such file or folder in the repository")
            targets.append(real)
        return targets

    def list_undocumented(self, path_glob: str = "**") -> dict[str, Any]:
        """The symbols ``docgen check`` reports as missing a docstring, in files matching
        ``path_glob`` (gitignore-style, relative to the root)."""
        import pathspec

        pattern = confine_glob(path_glob)
        spec = pathspec.PathSpec.from_lines("gitwildmatch", [pattern])
        report = self.coverage()
        missing = [m for m in report.missing if pattern in ("**", "*") or spec.match_file(m.path)]
        return {
            "path_glob": pattern,
            "count": len(missing),
            "symbols": [vars(m) for m in missing],
        }

    def check(
        self, paths: list[str] | None = None, select: list[str] | None = None, stale: bool = False
    ) -> dict:
        """``docgen check``'s findings for ``paths``, as ``Finding`` records (code,
        message, path, line, column, qualname, fixable), kept to the ``select`` codes
        (prefixes such as ``DG0``, ``DG1`` or ``DG001``). As with ``docgen check``, the
        drift codes (DG1xx, DG2xx: documented symbols checked against their code) are
        included with ``stale`` or when ``select`` names any code; ``# docgen: ignore``
        directives silence findings as they do there."""
        for code in select or []:
            if not isinstance(code, str) or not CODE_PATTERN.match(code):
                raise ToolProblem(f"select: {code!r} is not a code prefix such as DG or DG001")
        targets = self._targets(paths)
        report = check_paths(targets, self.check_options, root=self.root)
        findings = [f for f in coverage_findings(report) if _selected(f["code"], select)]
        if stale or select:
            findings += self._drift(targets, report, [c.upper() for c in select or []])
        findings.sort(key=lambda f: (f["path"], f["line"], f["column"], f["code"]))
        return {
            "findings": findings,
            "coverage": round(report.coverage, 2),
            "documented": report.documented,
            "total": report.total,
            "files": report.files,
        }

    def _drift(self, targets: list[Path], report: CoverageReport, select: list[str]) -> list:
        """The drift findings of ``targets`` not silenced by a directive, as records."""
        from assistant.drift_scan import scan
        from indexer.walker import WalkOptions

        options = self.check_options
        walk = WalkOptions(
            exclude=list(options.exclude),
            max_file_bytes=options.max_file_bytes,
            respect_gitignore=options.respect_gitignore,
        )
        style = self.settings.style if self.settings.style != "auto" else "google"
        found = []
        for finding in scan(targets, self.root, walk, select, [], style).findings:
            rules = report.suppressions.get(finding.path)
            if rules and rules.rule_for(finding.code, finding.qualname, finding.line):
                continue
            found.append({key: getattr(finding, key) for key in FINDING_FIELDS})
        return found

    def draft_docstring(self, path: str, qualname: str, style: str = "auto") -> dict[str, Any]:
        """A draft for the symbol and the unified diff of the edit that would insert it
        (or replace its docstring); nothing is written."""
        rel, _real, read, parsed = self._read(path)
        symbol = self._symbol(parsed, rel, qualname)
        pipeline = self.pipeline(None if style == "auto" else style)
        result = pipeline.document_symbol(rel, read.data, symbol)
        notes = list(result.notes)
        diff = None
        try:
            edited = self._edited(pipeline, rel, read.data, symbol, result)
            diff = _unified_diff(rel, read.data, edited)
            if symbol.docstring:
                notes.append("the diff replaces the existing docstring")
        except EditRefused as exc:
            notes.append(f"no edit: {exc}")
        return {
            **self._describe(rel, symbol),
            "record": result.to_json(),
            "docstring": result.docstring,
            "confidence": result.to_json()["confidence"],
            "below_floor": result.below_floor,
            "diff": diff,
            "written": False,
            "notes": notes,
        }

    def apply_docstring(
        self, path: str, qualname: str, docstring: str, replace_existing: bool = False
    ) -> dict[str, Any]:
        """Write ``docstring`` as the symbol's docstring, with ``--write``'s checks.

        Raises:
            Refused: The server is read-only, the symbol has a docstring (and not
                ``replace_existing``), or the edit would damage the file or change
                anything but the docstring, or the file changed since it was read.
        """
        if not self.allow_write:
            raise Refused(
                "this server is read-only: restart it with `docgen mcp --allow-write` to let "
                "apply_docstring write files (draft_docstring shows the edit without writing)"
            )
        text = _clean_docstring(docstring)
        rel, real, read, parsed = self._read(path)
        symbol = self._symbol(parsed, rel, qualname)
        if symbol.docstring and not replace_existing:
            raise Refused(
                f"{rel}: {qualname} has a docstring; pass replace_existing=true to replace it"
            )
        pipeline = self.pipeline()
        result = DocResult(
            rel,
            symbol.qualname,
            symbol.kind,
            symbol.line,
            first_sentence(text),
            text,
            1.0,
            style=pipeline.style_for(symbol.language),
        )
        try:
            edited = self._edited(pipeline, rel, read.data, symbol, result)
            encoded = _encode(edited, read.encoding, rel)
        except EditRefused as exc:
            raise Refused(str(exc)) from exc
        again = confine(self.root, rel)[1]  # the file's real location right before writing
        if again != real:
            raise Refused(f"{rel}: moved while it was being edited; nothing written")
        try:
            atomic_write(real, encoded, content_hash(read.raw))
        except ConcurrentChangeError as exc:
            raise Refused(f"{rel}: {exc}; read it again and retry") from exc
        return {
            **self._describe(rel, symbol),
            "written": True,
            "diff": _unified_diff(rel, read.data, edited),
        }

    @staticmethod
    def _edited(
        pipeline: DocPipeline, rel: str, source: bytes, symbol: Symbol, result: DocResult
    ) -> bytes:
        """The file's bytes with ``result`` as the symbol's docstring, checked: the file
        parses before and after, the docstring landed, and (Python) nothing else changed.

        Raises:
            EditRefused: Any check failed.
        """
        edit = pipeline.insertion_edit(source, symbol, result)
        edited = apply_edits(source, [edit])
        check_edited(source, edited, rel, symbol.language, {symbol.qualname: result.docstring})
        if symbol.language == "python" and _without_docstrings(source) != _without_docstrings(
            edited
        ):
            raise EditRefused(f"{rel}: edit refused: it would change more than the docstring")
        return edited


def coverage_findings(report: CoverageReport) -> list[dict[str, Any]]:
    """The missing docstrings of a coverage report as ``Finding`` records (``DG001``)."""
    return [
        {
            "code": MISSING_CODE,
            "message": f"{m.kind} {m.qualname} has no docstring",
            "path": m.path,
            "line": m.line,
            "column": m.col,
            "qualname": m.qualname,
            "fixable": True,
        }
        for m in report.missing
    ]


def _selected(code: str, select: list[str] | None) -> bool:
    return not select or any(code.startswith(prefix) for prefix in select)


def _clean_docstring(docstring: str) -> str:
    if not isinstance(docstring, str):
        raise ToolProblem("docstring must be a string")
    text = inspect.cleandoc(docstring).strip()
    if not text:
        raise Refused("docstring is empty; nothing written")
    if "\0" in text or len(text) > MAX_DOCSTRING_CHARS:
        raise Refused(f"docstring must be text of at most {MAX_DOCSTRING_CHARS} characters")
    if text.startswith(('"""', "'''")):
        raise Refused("give the docstring's text without its quotes")
    return text


def _encode(edited: bytes, encoding: str, rel: str) -> bytes:
    """The edited UTF-8 bytes in the file's own encoding (a coding cookie's).

    Raises:
        EditRefused: That encoding cannot hold a character of the docstring.
    """
    if encoding in ("utf-8", "utf-8-sig"):
        return edited
    try:
        return edited.decode("utf-8").encode(encoding)
    except UnicodeEncodeError as exc:
        raise EditRefused(
            f"{rel}: edit refused: {encoding}, the file's declared encoding, cannot hold "
            f"{ascii(exc.object[exc.start])}; nothing written"
        ) from exc
