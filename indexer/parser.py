"""Parse source files into :class:`~indexer.symbols.Symbol` records with tree-sitter.

The language's ``.scm`` query (see ``indexer/queries/``) finds definitions and the facts
around them; this module reads only the capture names:

- ``definition.<kind>`` / ``name.definition.<kind>``: a definition and its name, kind one
  of ``module``, ``class``, ``function``, ``method`` or ``scope`` (a named block that
  qualifies the names inside it, like a Rust ``impl``, but is not a symbol itself).
- ``outer``, ``body``, ``parameters``, ``returns``, ``decorator``, ``async``, ``doc``,
  ``receiver``: parts of the definition captured in the same match (``receiver``: the type
  a method is declared for outside its body, as in Go).
- ``doc.comment``: a comment documenting the definition that directly follows it;
  ``doc.skip``: a node that may sit between them (Rust attributes); ``doc.module``: a
  comment documenting the file (Rust ``//!``); ``module.anchor``: the node whose doc
  comments document the file (Go's package clause).
- ``name.reference.call``, ``name.reference.raise``, ``reference.return``,
  ``reference.yield``: facts attributed to the innermost definition whose body holds them.
- ``import``: import statements (resolved by language code; Python only for now).

Syntax errors never raise: whatever tree-sitter recovers is indexed and the error lines
(1-based) are reported on the :class:`~indexer.symbols.ParsedFile`. What could take the
process down or stall it is refused with :class:`SkipFile` instead (see
:mod:`indexer.limits`): nesting deeper than Python accepts or brackets deeper than
:data:`MAX_NESTING` (``too deeply nested``), and a parse or query that runs past
:data:`PARSE_TIME_BUDGET_S` (``too slow to parse``).
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

from tree_sitter import Node

from indexer._params import parameters, strip_type
from indexer._python import python_docstring, python_facts, python_imports
from indexer.languages import (
    UnsupportedLanguage,
    grammar_key,
    language_for_path,
    load_grammar,
    parser_for,
)
from indexer.limits import (
    MAX_INDENT_LEVELS,
    MAX_NESTING,
    OverBudget,
    nesting_problem,
    parse_tree,
    query_matches,
)
from indexer.symbols import Parameter, ParsedFile, Span, Symbol
from indexer.text import clean_comment, clean_docstring, module_name, symbol_source

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "MAX_INDENT_LEVELS",
    "MAX_LINE_BYTES",
    "MAX_NESTING",
    "PARSE_TIME_BUDGET_S",
    "SkipFile",
    "SourceText",
    "parse_file",
    "parse_source",
    "read_source",
    "read_source_file",
    "symbol_source",
]

DEFAULT_MAX_FILE_BYTES = 1_000_000
"""Files larger than this are skipped as oversized (configurable)."""
MAX_LINE_BYTES = 20_000
"""A line longer than this marks a minified or generated file, which is skipped."""
PARSE_TIME_BUDGET_S = 20.0
"""Parsing and querying one file may take this long (seconds); then it is skipped."""
_MAX_CALL_TEXT = 80


class SkipFile(Exception):
    """A file that is not indexed, with a short reason category and a detail.

    Attributes:
        reason: Category used for counting: ``binary``, ``not UTF-8``, ``bad encoding``,
            ``too large``, ``minified``, ``unreadable``, ``unsupported``, ``too deeply
            nested``, ``too slow to parse``.
        detail: Human-readable detail (sizes, the OS error).
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason} ({detail})" if detail else reason)


@dataclass(eq=False)
class _Def:
    node: Node
    kind: str
    name: Node | None = None
    outer: Node | None = None
    body: Node | None = None
    parameters: Node | None = None
    returns: Node | None = None
    decorators: list[Node] = field(default_factory=list)
    is_async: bool = False
    doc: Node | None = None
    receiver: Node | None = None
    doc_comments: list[Node] = field(default_factory=list)
    parent: _Def | None = None
    symbol: Symbol | None = None
    is_overload: bool = False
    is_stub: bool = False

    @property
    def start(self) -> int:
        return (self.outer or self.node).start_byte


def _text(node: Node | None) -> str:
    return "" if node is None else (node.text or b"").decode("utf-8", "replace")


def _span(node: Node, start: Node | None = None) -> Span:
    first = start or node
    return Span(
        first.start_point[0],
        first.start_point[1],
        node.end_point[0],
        node.end_point[1],
        first.start_byte,
        node.end_byte,
    )


@dataclass(frozen=True)
class SourceText:
    """A source file as read: UTF-8 bytes for the parser, and how it is stored on disk.

    Attributes:
        data: What the parser reads: the file's own bytes when it is UTF-8 (a BOM kept),
            else its text re-encoded as UTF-8.
        encoding: ``utf-8``, ``utf-8-sig`` (a BOM) or the codec a Python file's PEP 263
            coding cookie declares (``tokenize.detect_encoding``'s name, e.g. ``iso-8859-1``).
        raw: The bytes on disk (write edits back in ``encoding``, see ``data``).
    """

    data: bytes
    encoding: str
    raw: bytes


def read_source(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """Read a source file as UTF-8 bytes, refusing what should not be indexed.

    A Python file in another encoding declared by a PEP 263 coding cookie is decoded with
    it and handed over as UTF-8 (see :func:`read_source_file` for its own encoding).

    Raises:
        SkipFile: Unreadable, oversized, binary, not UTF-8 (or not what its cookie
            declares), or minified.
    """
    return read_source_file(path, max_bytes).data


def read_source_file(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> SourceText:
    """Read a source file like :func:`read_source`, keeping its bytes and encoding.

    Raises:
        SkipFile: As :func:`read_source`.
    """
    try:
        stat = path.stat()
        size = stat.st_size
        if not S_ISREG(stat.st_mode):
            raise SkipFile("not a regular file", str(path))
        if size > max_bytes:
            raise SkipFile("too large", f"{size:,} bytes > limit {max_bytes:,}")
        raw = path.read_bytes()
    except OSError as exc:
        raise SkipFile("unreadable", exc.strerror or str(exc)) from exc
    if len(raw) > max_bytes:
        raise SkipFile("too large", f"{len(raw):,} bytes > limit {max_bytes:,}")
    if b"\0" in raw[:8192]:
        raise SkipFile("binary", "contains NUL bytes")
    encoding = _declared_encoding(raw) if language_for_path(path.name) == "python" else "utf-8"
    if encoding in ("utf-8", "utf-8-sig"):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            detail = f"byte {exc.start}: {exc.reason}; re-save as UTF-8"
            raise SkipFile("not UTF-8", detail) from exc
        data = raw
    else:
        try:
            data = raw.decode(encoding).encode("utf-8")
        except UnicodeError as exc:
            where = f"byte {exc.start}: " if isinstance(exc, UnicodeDecodeError) else ""
            detail = f"{where}not valid {encoding}, the encoding its coding cookie declares"
            raise SkipFile("bad encoding", detail) from exc
    if len(data) > MAX_LINE_BYTES and max(map(len, data.split(b"\n"))) > MAX_LINE_BYTES:
        raise SkipFile("minified", f"a line is longer than {MAX_LINE_BYTES:,} bytes")
    return SourceText(data, encoding, raw)


def _declared_encoding(raw: bytes) -> str:
    """The encoding Python reads ``raw`` with (PEP 263 cookie or BOM; default UTF-8)."""
    import codecs
    import io
    import tokenize

    try:
        return tokenize.detect_encoding(io.BytesIO(raw).readline)[0]
    except SyntaxError as exc:
        lines = raw.split(b"\n", 2)[:2]
        declared = any(tokenize.cookie_re.match(line.decode("latin-1")) for line in lines)
        if not declared and not raw.startswith(codecs.BOM_UTF8):
            return "utf-8"  # no cookie, just not UTF-8: reported as such
        # an unknown codec, a cookie that does not decode, or a BOM with another cookie
        raise SkipFile("bad encoding", f"{exc}; Python cannot read it either") from exc


def parse_file(
    path: Path, root: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES, outline: bool = False
) -> ParsedFile:
    """Read and parse one file of the repository at ``root``.

    Args:
        path: The file (absolute, or relative to the working directory).
        root: The repository root; symbol paths are relative to it, ``/``-separated.
        max_bytes: Size limit; larger files are skipped.
        outline: See :func:`parse_source`.

    Raises:
        SkipFile: The file is not a supported language, or cannot or should not be read.
    """
    rel = relative_path(path, root)
    language = language_for_path(rel)
    if language is None:
        raise SkipFile("unsupported", f"no grammar for {Path(rel).suffix or 'no extension'}")
    source = read_source(path, max_bytes)
    try:
        return parse_source(source, rel, language, outline)
    except UnsupportedLanguage as exc:
        raise SkipFile("unsupported", str(exc)) from exc


def relative_path(path: Path, root: Path) -> str:
    """Return ``path`` relative to ``root`` with ``/`` separators (as written if outside)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def parse_source(
    source: bytes, path: str, language: str | None = None, outline: bool = False
) -> ParsedFile:
    """Parse ``source`` (the raw bytes of file ``path``) into symbols.

    Args:
        source: File contents.
        path: Repository-relative path (used for the module name and the language).
        language: Language name; guessed from the extension when ``None``.
        outline: Only names, kinds, spans, decorators and docstrings (no parameters,
            calls, raises, returns/yields or imports): enough for coverage, and faster.

    Returns:
        The parsed file. The first symbol is always the module.

    Raises:
        indexer.languages.UnsupportedLanguage: No grammar for this language or path.
        SkipFile: Too deeply nested to parse safely, or over the time budget.
    """
    language = language or language_for_path(path) or ""
    grammar = load_grammar(grammar_key(language, path))
    problem = nesting_problem(source, language)
    if problem:
        raise SkipFile("too deeply nested", problem)
    deadline = time.monotonic() + PARSE_TIME_BUDGET_S
    query = grammar.outline_query if outline else grammar.query
    try:
        root = parse_tree(parser_for(grammar.key), source, deadline).root_node
        defs, refs, comment_ids, skip_ids, import_nodes, module_docs = _collect(
            query_matches(query, root, deadline)
        )
    except OverBudget as exc:
        raise SkipFile("too slow to parse", f"over {PARSE_TIME_BUDGET_S:g} s") from exc
    mod_name = module_name(path)
    imports: dict[str, str] = {}
    if language == "python":
        imports = python_imports(import_nodes, mod_name, Path(path).name == "__init__.py")
        python_facts(defs.values(), imports, import_nodes)
    module = defs.pop(root.id, None) or _Def(root, "module")
    module.kind = "module"
    ordered = sorted(defs.values(), key=lambda d: (d.start, -d.node.end_byte))
    _link_parents(module, ordered)
    _attach_doc_comments(ordered, comment_ids, skip_ids)
    if module.doc is None and module_docs:
        _attach_module_doc(module, module_docs, comment_ids, skip_ids)
    symbols = [_module_symbol(module, path, language, mod_name, source)]
    for item in ordered:
        symbol = _make_symbol(item, path, language)
        if symbol is not None:
            symbols.append(symbol)
    _attach_references(module, ordered, refs)
    error_lines = _error_lines(root) if root.has_error else []
    return ParsedFile(path, language, symbols, bool(error_lines), error_lines, imports)


def _collect(matches):
    defs: dict[int, _Def] = {}
    refs: list[tuple[str, Node]] = []
    comment_ids: set[int] = set()
    skip_ids: set[int] = set()
    imports: list[Node] = []
    module_docs: list[tuple[str, Node]] = []
    for _pattern, captures in matches:
        definition = next((n for n in captures if n.startswith("definition.")), None)
        if definition is None:
            for name, nodes in captures.items():
                if name.startswith(("name.reference.", "reference.")):
                    refs.extend((name.rsplit(".", 1)[1], node) for node in nodes)
                elif name == "doc.comment":
                    comment_ids.update(node.id for node in nodes)
                elif name == "doc.skip":
                    skip_ids.update(node.id for node in nodes)
                elif name in ("doc.module", "module.anchor"):
                    module_docs.extend((name, node) for node in nodes)
                elif name == "import":
                    imports.extend(nodes)
            continue
        node = captures[definition][0]
        item = defs.get(node.id)
        if item is None:
            item = defs[node.id] = _Def(node, definition.split(".", 1)[1])
        _merge(item, captures)
    return defs, refs, comment_ids, skip_ids, imports, module_docs


def _merge(item: _Def, captures: dict[str, list[Node]]) -> None:
    for name, nodes in captures.items():
        first = nodes[0]
        if name.startswith("name.definition."):
            item.name = item.name or first
        elif name in ("outer", "body", "parameters", "returns", "doc", "receiver"):
            if getattr(item, name) is None:
                setattr(item, name, first)
        elif name == "decorator":
            known = {n.id for n in item.decorators}
            item.decorators.extend(n for n in nodes if n.id not in known)
        elif name == "async":
            item.is_async = True


def _link_parents(module: _Def, ordered: list[_Def]) -> None:
    stack: list[_Def] = []
    for item in ordered:
        while stack and stack[-1].node.end_byte < item.node.end_byte:
            stack.pop()
        while stack and item.start >= stack[-1].node.end_byte:
            stack.pop()
        item.parent = stack[-1] if stack else module
        stack.append(item)


def _attach_doc_comments(ordered: list[_Def], comment_ids: set[int], skip_ids: set[int]):
    if not comment_ids:
        return
    for item in ordered:
        if item.doc is not None:
            continue
        anchor = item.outer or item.node
        found: list[Node] = []
        sibling = anchor.prev_sibling
        next_row = anchor.start_point[0]
        while sibling is not None:
            if sibling.id in skip_ids:
                next_row = sibling.start_point[0]
            elif sibling.id in comment_ids and sibling.end_point[0] >= next_row - 1:
                found.append(sibling)
                next_row = sibling.start_point[0]
            else:
                break
            sibling = sibling.prev_sibling
        item.doc_comments = found[::-1]


def _attach_module_doc(module: _Def, captured, comment_ids: set[int], skip_ids: set[int]):
    """``doc.module`` comments are the module's docs; else the doc comments right above a
    ``module.anchor`` (Go's package clause) are."""
    own = sorted((n for name, n in captured if name == "doc.module"), key=lambda n: n.start_byte)
    if own:
        module.doc_comments = own
        return
    anchors = [n for name, n in captured if name == "module.anchor"]
    if anchors:
        holder = _Def(anchors[0], "module")
        _attach_doc_comments([holder], comment_ids, skip_ids)
        module.doc_comments = holder.doc_comments


def _qualname(item: _Def) -> str:
    parts = []
    cursor: _Def | None = item
    while cursor is not None and cursor.kind != "module":
        parts.append(_text(cursor.name))
        if cursor.receiver is not None:
            parts.append(_text(cursor.receiver))
            break
        cursor = cursor.parent
    return ".".join(reversed(parts))


def _make_symbol(item: _Def, path: str, language: str) -> Symbol | None:
    if item.name is None or item.kind in ("scope", "module"):
        return None
    kind = item.kind
    parent = item.parent if item.parent is not None and item.parent.kind != "module" else None
    if kind == "function" and parent is not None and parent.kind in ("class", "scope"):
        kind = "method"
    docstring, doc_span = _docstring(item, language)
    parent_name = _qualname(parent) if parent is not None else None
    if item.receiver is not None:
        parent_name = _text(item.receiver)
    params: list[Parameter] = []
    if item.parameters is not None:
        params = parameters(item.parameters, language)
    item.symbol = Symbol(
        path=path,
        language=language,
        qualname=_qualname(item),
        name=_text(item.name),
        kind=kind,  # type: ignore[arg-type]
        span=_span(item.node, item.outer),
        name_span=_span(item.name),
        body_span=_span(item.body) if item.body is not None else None,
        parameters=params,
        returns=strip_type(_text(item.returns)) or None,
        decorators=[_text(node) for node in sorted(item.decorators, key=lambda n: n.start_byte)],
        is_async=item.is_async,
        docstring=docstring,
        doc_span=doc_span,
        parent=parent_name,
        has_errors=item.node.has_error,
        is_overload=item.is_overload,
        is_stub=item.is_stub,
    )
    return item.symbol


def _module_symbol(module: _Def, path: str, language: str, name: str, source: bytes) -> Symbol:
    docstring, doc_span = _docstring(module, language)
    root = module.node
    span = Span(0, 0, root.end_point[0], root.end_point[1], 0, max(root.end_byte, len(source)))
    module.symbol = Symbol(
        path=path,
        language=language,
        qualname=name,
        name=name.rsplit(".", 1)[-1],
        kind="module",
        span=span,
        docstring=docstring,
        doc_span=doc_span,
        has_errors=root.has_error,
    )
    return module.symbol


def _docstring(item: _Def, language: str) -> tuple[str | None, Span | None]:
    if item.doc is not None:
        node = item.doc
        if language == "python":
            text = python_docstring(node)
            return (None, None) if text is None else (clean_docstring(text), _span(node))
        if any(child.type == "interpolation" for child in node.children):
            return None, None
        return clean_docstring(_string_body(node)), _span(node)
    if item.doc_comments:
        first, last = item.doc_comments[0], item.doc_comments[-1]
        texts = [_text(node) for node in item.doc_comments]
        return clean_comment(texts), _span(last, first)
    return None, None


def _string_body(node: Node) -> str:
    children = node.children
    if len(children) >= 2 and children[0].type.endswith("start"):
        raw = node.text or b""
        start = children[0].end_byte - node.start_byte
        end = children[-1].start_byte - node.start_byte
        return raw[start:end].decode("utf-8", "replace")
    text = _text(node)
    for quote in ('"""', "'''", '"', "'", "`"):
        if text.endswith(quote) and quote in text[: -len(quote)]:
            return text[text.index(quote) + len(quote) : -len(quote)]
    return text


def _attach_references(module: _Def, ordered: list[_Def], refs: list[tuple[str, Node]]):
    bodies = [item for item in ordered if item.body is not None and item.symbol is not None]
    starts = [item.body.start_byte for item in bodies]  # type: ignore[union-attr]
    for what, node in sorted(refs, key=lambda ref: ref[1].start_byte):
        owner = _owner(node, bodies, starts) or module
        symbol = owner.symbol
        if symbol is None:
            continue
        if what == "call":
            text = _text(node)
            if len(text) <= _MAX_CALL_TEXT and "\n" not in text and text not in symbol.calls:
                symbol.calls.append(text)
        elif what == "raise":
            text = _text(node)
            if text not in symbol.raises:
                symbol.raises.append(text)
        elif what == "return":
            symbol.has_return = True
        elif what == "yield":
            symbol.has_yield = True


def _owner(node: Node, bodies: list[_Def], starts: list[int]) -> _Def | None:
    index = bisect.bisect_right(starts, node.start_byte) - 1
    candidate: _Def | None = bodies[index] if index >= 0 else None
    while candidate is not None:
        body = candidate.body
        if (
            body is not None
            and candidate.symbol is not None
            and body.start_byte <= node.start_byte
            and node.end_byte <= body.end_byte
        ):
            return candidate
        candidate = candidate.parent
    return None


def _error_lines(root: Node) -> list[int]:
    lines: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            lines.add(node.start_point[0] + 1)
            continue
        stack.extend(child for child in node.children if child.has_error or child.is_missing)
    return sorted(lines)
