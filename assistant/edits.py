"""Safe edits: plan docstring insertions/replacements as text edits, check, write atomically.

An edit is planned against the exact bytes it was computed from and is only applied when:

- the file parses before the edit (Python's own parser for Python, tree-sitter for the
  other languages): a file that does not parse is never edited, and planning refuses
  before the docstring is rendered (:func:`refuse_unparsable`);
- the edited file still parses (tree-sitter, and ``ast`` for Python) and the new text is
  the symbol's docstring in the re-parsed file (:func:`check_edited`);
- on disk, the file still has the hash it had when it was read (:func:`atomic_write`): a
  file changed meanwhile is never clobbered.

Writes go to a temporary file in the same folder, are fsynced, and replace the original
with ``os.replace``, keeping its permissions: a killed process leaves either the old or the
new file, never a mix. No byte outside the planned ranges changes. Where a docstring goes
(and which comments stay where) is :mod:`assistant.placement`'s business.
"""

from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.edit_regions import edited_region, python_outline
from assistant.placement import (
    PlacementError,
    definition_insertion,
    module_insertion,
    trailing_comment,
)
from assistant.placement import indent_unit as _indent_unit
from assistant.placement import leading_ws as _leading_ws
from assistant.placement import line_start as _line_start
from assistant.safe_output import replace_file
from indexer.symbols import Symbol

__all__ = [
    "ConcurrentChangeError",
    "EditRefused",
    "TextEdit",
    "apply_edits",
    "atomic_write",
    "check_edited",
    "content_hash",
    "detect_newline",
    "plan_comment_insertion",
    "plan_python_insertion",
    "plan_replacement",
    "refuse_unparsable",
    "unparsable_reason",
]


class EditRefused(ValueError):
    """A planned edit would damage the file (or cannot be placed); nothing is written."""


class ConcurrentChangeError(RuntimeError):
    """The file on disk changed since it was read; nothing is written."""


@dataclass(slots=True)
class TextEdit:
    """Replace a range of a file with new text.

    Lines and columns are 0-based; columns count Unicode code points of the line's text
    (convert to UTF-16 for LSP clients). ``start_byte``/``end_byte`` are the same range as
    byte offsets into the file's bytes (the CLI applies edits by them).
    """

    start_line: int
    start_col: int
    end_line: int
    end_col: int
    new_text: str
    start_byte: int = 0
    end_byte: int = 0


def content_hash(data: bytes) -> str:
    """Return the SHA-256 hex digest of ``data`` (how files are compared before writing)."""
    return hashlib.sha256(data).hexdigest()


def detect_newline(source: bytes) -> str:
    """Return the file's line ending: ``\\r\\n`` when its first line ends so, else ``\\n``."""
    first = source.find(b"\n")
    return "\r\n" if first > 0 and source[first - 1 : first] == b"\r" else "\n"


def line_column(source: bytes, offset: int) -> tuple[int, int]:
    """Return (line, code-point column) of byte ``offset``."""
    line = source.count(b"\n", 0, offset)
    line_start = source.rfind(b"\n", 0, offset) + 1
    return line, len(source[line_start:offset].decode("utf-8", "replace"))


def _edit(source: bytes, start: int, end: int, text: str) -> TextEdit:
    start_line, start_col = line_column(source, start)
    end_line, end_col = line_column(source, end)
    return TextEdit(start_line, start_col, end_line, end_col, text, start, end)


def plan_python_insertion(source: bytes, symbol: Symbol, literal_for) -> TextEdit:
    """Plan inserting a docstring as the first statement of a Python definition.

    Placement follows :mod:`assistant.placement`: right below the header, above a comment
    block that opens the body; comments keep their line (a one-line definition keeps its
    trailing comment on the header line); a class docstring gets a blank line before a
    method; a module docstring goes below the shebang, cookie and leading comments.

    Args:
        source: The file's bytes.
        symbol: A function, method or class of that file without a docstring.
        literal_for: Callable ``(indent, newline) -> str`` returning the docstring literal.

    Raises:
        EditRefused: The file does not parse, or the definition has no body to insert into.
    """
    _refuse_planning(source, symbol, "python")
    newline = detect_newline(source)
    if symbol.kind == "module":
        planned = module_insertion(source, literal_for, newline)
        return _edit(source, planned.start, planned.end, planned.text)
    body = symbol.body_span
    if body is None:
        raise EditRefused(f"{symbol.qualname}: no body found (syntax error?); not edited")
    try:
        planned = definition_insertion(
            source,
            symbol.span.start_byte,
            body.start_byte,
            symbol.kind == "class",
            literal_for,
            newline,
        )
    except PlacementError as exc:
        raise EditRefused(f"{symbol.qualname}: {exc}") from exc
    return _edit(source, planned.start, planned.end, planned.text)


def plan_replacement(source: bytes, symbol: Symbol, literal_for) -> TextEdit:
    """Plan replacing a symbol's existing docstring literal (quote style kept).

    Args:
        source: The file's bytes.
        symbol: A symbol with ``doc_span``.
        literal_for: Callable ``(indent, newline, quote) -> str``.

    The whole ``doc_span`` is replaced, so a concatenated or parenthesised docstring
    (``("a "`` / ``"b")`` over two lines) becomes one literal.

    Raises:
        EditRefused: The file does not parse, or the symbol has no docstring literal.
    """
    _refuse_planning(source, symbol, "python")
    span = symbol.doc_span
    if span is None:
        raise EditRefused(f"{symbol.qualname}: has no docstring to update")
    raw = source[span.start_byte : span.end_byte].decode("utf-8", "replace")
    # the quote of the first string: a concatenated docstring may open with "(" or a prefix
    quotes = [i for i in (raw.find('"'), raw.find("'")) if i >= 0]
    quote = "'''" if quotes and raw[min(quotes)] == "'" else '"""'
    line_start = _line_start(source, span.start_byte)
    if source[line_start : span.start_byte].strip(b" \t"):
        header_indent = _leading_ws(source, symbol.span.start_byte)
        indent = header_indent + _indent_unit(header_indent)
    else:
        indent = _leading_ws(source, span.start_byte)
    newline = detect_newline(source)
    text = literal_for(indent, newline, quote)
    if newline in text and source[line_start : span.start_byte].strip(b" \t"):
        moved = _off_the_header(source, span.start_byte, span.end_byte, text, indent, newline)
        if moved is not None:
            return moved
    return _edit(source, span.start_byte, span.end_byte, text)


def _off_the_header(
    source: bytes, start: int, end: int, literal: str, indent: str, newline: str
) -> TextEdit | None:
    """``def f(): ""  # noqa`` with a multi-line literal: the comment stays on the header
    line, the literal (and any statements after it) go on lines of their own."""
    comment = trailing_comment(source, start)
    colon = len(source[:start].rstrip(b" \t"))
    if comment is None or source[colon - 1 : colon] != b":":
        return None
    comment_start, comment_end = comment
    code_end = len(source[:comment_start].rstrip(b" \t"))
    rest = source[end:code_end].strip(b" \t").lstrip(b";").strip(b" \t")
    text = (
        source[code_end:comment_end].decode("utf-8", "surrogateescape") + newline + indent + literal
    )
    if rest:
        text += newline + indent + rest.decode("utf-8", "surrogateescape")
    return _edit(source, colon, comment_end, text)


def plan_comment_insertion(source: bytes, symbol: Symbol, comment_for) -> TextEdit:
    """Plan inserting a doc comment on the lines before a definition (JS, Go, Java, Rust).

    Args:
        source: The file's bytes.
        symbol: The definition.
        comment_for: Callable ``(indent, newline) -> str`` returning the whole comment,
            ending with a newline.

    Raises:
        EditRefused: Tree-sitter reports syntax errors in the file.
    """
    _refuse_planning(source, symbol, symbol.language)
    start = _line_start(source, symbol.span.start_byte)
    indent = _leading_ws(source, symbol.span.start_byte)
    if symbol.doc_span is not None:
        # replace an existing doc comment in place (it precedes the definition)
        doc_start = _line_start(source, symbol.doc_span.start_byte)
        end = source.find(b"\n", symbol.doc_span.end_byte)
        end = len(source) if end < 0 else end + 1
        return _edit(source, doc_start, end, comment_for(indent, detect_newline(source)))
    return _edit(source, start, start, comment_for(indent, detect_newline(source)))


def apply_edits(source: bytes, edits: list[TextEdit]) -> bytes:
    """Apply non-overlapping edits (by byte offsets) and return the new bytes.

    ``source`` is UTF-8 (``read_source`` re-encodes a file with another coding cookie, and
    bulk runs encode the result back: ``assistant.bulk.encode_source``), and so is the
    new text.

    Raises:
        EditRefused: Two edits overlap.
    """
    ordered = sorted(edits, key=lambda e: (e.start_byte, e.end_byte))
    for first, second in zip(ordered, ordered[1:], strict=False):
        if second.start_byte < first.end_byte:
            raise EditRefused("overlapping edits; nothing applied")
    out = bytearray(source)
    for edit in reversed(ordered):
        out[edit.start_byte : edit.end_byte] = edit.new_text.encode("utf-8")
    return bytes(out)


def _python_error(source: bytes) -> str | None:
    """Return why Python cannot parse ``source`` (``line N: message``), or None (one parse
    per source, shared with the statement spans: :func:`assistant.edit_regions.
    python_outline`)."""
    return python_outline(source)[0]


@lru_cache(maxsize=64)  # the files being edited: one entry per open file (the server)
def _file_error(source: bytes, path: str, language: str) -> str | None:
    """Why the file cannot be edited safely: Python's own parser for Python (the
    authority on what runs), tree-sitter's errors for the other languages."""
    if language == "python":
        return _python_error(source)
    from indexer.parser import parse_source

    parsed = parse_source(source, path, language)
    if parsed.has_errors:
        return f"line {parsed.error_lines[0]}: syntax error" if parsed.error_lines else "error"
    return None


def unparsable_reason(source: bytes, path: str, language: str) -> str | None:
    """Return why the file must not be edited (``file does not parse: line N: ...; fix the
    syntax error first``), or None when it parses.

    A file that does not parse is never edited: its definitions' bounds are guesses (a
    ``def f(a):`` with no body would get the docstring as its body).
    """
    error = _file_error(source, path, language)
    if error is None:
        return None
    return f"file does not parse: {error}; fix the syntax error first"


def refuse_unparsable(source: bytes, path: str, language: str) -> None:
    """Raise :class:`EditRefused` (``path: file does not parse: ...``) unless it parses."""
    reason = unparsable_reason(source, path, language)
    if reason is not None:
        raise EditRefused(f"{path}: {reason}")


def _refuse_planning(source: bytes, symbol: Symbol, language: str) -> None:
    """The planners' check; like their other refusals, the message leaves the path to the
    caller (bulk runs prefix it, the editor knows the file)."""
    reason = unparsable_reason(source, symbol.path, language)
    if reason is not None:
        raise EditRefused(reason)


def parse_problems(source: bytes, path: str, language: str) -> list[str]:
    """Return why ``source`` does not parse (tree-sitter; ``ast`` for Python), or ``[]``."""
    from indexer.parser import parse_source

    return _problems(parse_source(source, path, language), source, language)


def _problems(parsed, source: bytes, language: str) -> list[str]:
    problems = []
    if parsed.has_errors:
        lines = ", ".join(map(str, parsed.error_lines[:5]))
        problems.append(f"tree-sitter reports syntax errors on line(s) {lines}")
    if language == "python":
        error = _python_error(source)
        if error:
            problems.append(f"Python cannot parse it ({error})")
    return problems


def check_edited(
    original: bytes,
    edited: bytes,
    path: str,
    language: str,
    expected: dict[str, str] | list[tuple[str, str]] | None = None,
    strict: bool = True,
):
    """Check an edited file before it is written; return its parse.

    Args:
        original: The bytes the edits were planned on.
        edited: The bytes after the edits.
        path: Repository-relative path (for the parser and messages).
        language: Language name.
        expected: qualname -> docstring text each edited symbol must now carry (or
            ``(qualname, text)`` pairs: a name defined twice gets an entry per definition).
        strict: Only changes the wording of a refusal ("would not parse" / "would add
            syntax errors"): a file that does not parse is never edited, so ``original``
            must parse and the edited file too (an editor buffer being typed in is
            refused until it parses).

    Raises:
        EditRefused: ``original`` does not parse (:func:`refuse_unparsable`), the edited
            file would not parse, or a docstring did not land where it was meant to.
    """
    from indexer.parser import parse_source

    refuse_unparsable(original, path, language)
    parsed = parse_source(edited, path, language)
    after = _problems(parsed, edited, language)
    if after:  # the original parses, so every error is one the edit would add
        why = "the result would not parse" if strict else "it would add syntax errors"
        raise EditRefused(f"{path}: edit refused: {why}: {after[0]}")
    pairs = expected.items() if isinstance(expected, dict) else (expected or [])
    missing = _not_landed(parsed, pairs)
    if missing is not None:
        raise EditRefused(f"{path}: edit refused: {missing} would not get the docstring")
    return parsed


def _not_landed(parsed, pairs) -> str | None:
    """The first qualname of ``pairs`` whose symbol in ``parsed`` lacks its docstring."""
    docstrings: dict[str, list[str]] = {}
    for symbol in parsed.symbols:  # a property and its setter share a qualname
        docstrings.setdefault(symbol.qualname, []).append(_squash(symbol.docstring))
    for qualname, text in pairs:
        if _squash(text) not in docstrings.get(qualname, []):
            return qualname
    return None


def _region_passes(
    source: bytes, path: str, edits: list[TextEdit], pairs: list[tuple[str, str]]
) -> bool:
    """Whether Python edits pass by their region alone (:mod:`assistant.edit_regions`):
    the original parses, the top-level statements they fall in parse with them applied,
    and every docstring lands. False means only "check the whole file"."""
    from indexer.parser import parse_source

    region = edited_region(source, edits)  # None when the original does not parse
    if region is None:
        return False
    parsed = parse_source(region, path, "python")
    return not _problems(parsed, region, "python") and _not_landed(parsed, pairs) is None


PlannedEdit = tuple[str, "str | None", TextEdit]
"""An edit planned on a file's bytes: (qualname, the docstring the symbol must then carry,
or None when only the parse is checked, the edit)."""


def check_together(
    source: bytes, path: str, language: str, planned: list[PlannedEdit], strict: bool = True
) -> tuple[list[int], bytes, list[tuple[str | None, str]]]:
    """Check edits planned on ``source`` as the one file they make together.

    All at once first (one parse of the edited file, however many edits; for Python, of
    only the top-level statements they fall in when that suffices:
    :mod:`assistant.edit_regions`). When that is
    refused, the edits are split in halves and each half checked the same way, down to
    single edits, so a refused edit costs a few parses, not one per edit; halves that
    pass alone but not together keep the first. Every edit kept has passed
    :func:`check_edited` in the file it ends up in.

    Return the indices of the edits kept (in order), the edited bytes (``source`` when
    none is kept) and the refusals: ``(qualname, why)`` for an edit refused alone,
    ``(None, why)`` for edits that passed alone but not with the others.
    """
    refused: list[tuple[str | None, str]] = []

    def ok(indices: list[int]) -> bytes:
        edits = [planned[i][2] for i in indices]
        edited = apply_edits(source, edits)
        expected = [(planned[i][0], planned[i][1]) for i in indices if planned[i][1] is not None]
        if language == "python" and _region_passes(source, path, edits, expected):  # type: ignore[arg-type]
            return edited  # the statements they touch parse: so does the file
        check_edited(source, edited, path, language, expected, strict)  # type: ignore[arg-type]
        return edited

    def passing(indices: list[int]) -> tuple[list[int], bytes | None]:
        try:
            return indices, ok(indices)
        except EditRefused as exc:
            if len(indices) == 1:
                refused.append((planned[indices[0]][0], str(exc)))
                return [], None
        half = len(indices) // 2
        first, first_bytes = passing(indices[:half])
        second, second_bytes = passing(indices[half:])
        if not first or not second:
            return (first, first_bytes) if first else (second, second_bytes)
        try:
            return first + second, ok(first + second)
        except EditRefused as exc:
            names = ", ".join(planned[i][0] for i in second)
            refused.append((None, f"{exc} (with {names}; left out)"))
            return first, first_bytes

    if not planned:
        return [], source, []
    kept, edited = passing(list(range(len(planned))))
    return kept, edited if edited is not None else source, refused


def _squash(text: str | None) -> str:
    return " ".join((text or "").replace("\\\\", "\\").split())


def atomic_write(path: Path, data: bytes, expected_hash: str) -> None:
    """Replace ``path`` with ``data`` atomically if it still has ``expected_hash``.

    Raises:
        ConcurrentChangeError: The file changed (or vanished) since it was read.
        OSError: The write failed (disk full, permissions); the original is untouched.
    """
    target = path.resolve()
    try:
        current = target.read_bytes()
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError as exc:
        raise ConcurrentChangeError(f"{path}: deleted since it was read; not written") from exc
    if content_hash(current) != expected_hash:
        raise ConcurrentChangeError(f"{path}: changed since it was read; not written")

    def unchanged() -> None:
        if content_hash(target.read_bytes()) != expected_hash:
            raise ConcurrentChangeError(f"{path}: changed while writing; not written")

    replace_file(target, data, mode, unchanged, suffix=".docgen")
