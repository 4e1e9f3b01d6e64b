"""Safe edits: plan docstring insertions/replacements as text edits, check, write atomically.

An edit is planned against the exact bytes it was computed from and is only applied when:

- the edited file still parses (tree-sitter, and ``ast`` for Python) and the new text is
  the symbol's docstring in the re-parsed file (:func:`check_edited`);
- on disk, the file still has the hash it had when it was read (:func:`atomic_write`): a
  file changed meanwhile is never clobbered.

Writes go to a temporary file in the same folder, are fsynced, and replace the original
with ``os.replace``, keeping its permissions: a killed process leaves either the old or the
new file, never a mix. No byte outside the planned ranges changes.
"""

from __future__ import annotations

import ast
import hashlib
import os
import stat
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

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


def _line_start(source: bytes, offset: int) -> int:
    return source.rfind(b"\n", 0, offset) + 1


def _leading_ws(source: bytes, offset: int) -> str:
    """Return the indentation of the line holding byte ``offset``."""
    start = _line_start(source, offset)
    line = source[start:offset]
    stripped = line.lstrip(b" \t")
    return line[: len(line) - len(stripped)].decode("ascii")


def _indent_unit(indent: str) -> str:
    return "\t" if "\t" in indent else "    "


def plan_python_insertion(source: bytes, symbol: Symbol, literal_for) -> TextEdit:
    """Plan inserting a docstring as the first statement of a Python definition.

    Args:
        source: The file's bytes.
        symbol: A function, method or class of that file without a docstring.
        literal_for: Callable ``(indent, newline) -> str`` returning the docstring literal.

    Raises:
        EditRefused: The definition has no body to insert into.
    """
    newline = detect_newline(source)
    if symbol.kind == "module":
        return _module_insertion(source, literal_for, newline)
    body = symbol.body_span
    if body is None:
        raise EditRefused(f"{symbol.qualname}: no body found (syntax error?); not edited")
    start = body.start_byte
    line_start = _line_start(source, start)
    if source[line_start:start].strip(b" \t"):
        # one-line definition (``def f(x): return x``): move the body to its own line
        colon = len(source[:start].rstrip(b" \t"))
        if source[colon - 1 : colon] != b":":
            raise EditRefused(f"{symbol.qualname}: cannot find the end of its header")
        header_indent = _leading_ws(source, symbol.span.start_byte)
        indent = header_indent + _indent_unit(header_indent)
        text = newline + indent + literal_for(indent, newline) + newline + indent
        return _edit(source, colon, start, text)
    indent = _leading_ws(source, start)
    return _edit(source, line_start, line_start, indent + literal_for(indent, newline) + newline)


def _module_insertion(source: bytes, literal_for, newline: str) -> TextEdit:
    """Insert a module docstring after a shebang / encoding line and leading comments."""
    offset = 0
    lines = source.splitlines(keepends=True)
    for line in lines:
        if line.startswith(b"#") or (offset == 0 and line.startswith(b"\xef\xbb\xbf#")):
            offset += len(line)
            continue
        break
    text = literal_for("", newline) + newline
    if offset < len(source) and source[offset:].strip():
        text += newline
    return _edit(source, offset, offset, text)


def plan_replacement(source: bytes, symbol: Symbol, literal_for) -> TextEdit:
    """Plan replacing a symbol's existing docstring literal (quote style kept).

    Args:
        source: The file's bytes.
        symbol: A symbol with ``doc_span``.
        literal_for: Callable ``(indent, newline, quote) -> str``.

    Raises:
        EditRefused: The symbol has no docstring literal to replace.
    """
    span = symbol.doc_span
    if span is None:
        raise EditRefused(f"{symbol.qualname}: has no docstring to update")
    raw = source[span.start_byte : span.end_byte].decode("utf-8", "replace")
    body = raw.lstrip("rRuUbBfF")
    quote = "'''" if body.startswith("'") else '"""'
    line_start = _line_start(source, span.start_byte)
    if source[line_start : span.start_byte].strip(b" \t"):
        header_indent = _leading_ws(source, symbol.span.start_byte)
        indent = header_indent + _indent_unit(header_indent)
    else:
        indent = _leading_ws(source, span.start_byte)
    text = literal_for(indent, detect_newline(source), quote)
    return _edit(source, span.start_byte, span.end_byte, text)


def plan_comment_insertion(source: bytes, symbol: Symbol, comment_for) -> TextEdit:
    """Plan inserting a doc comment on the lines before a definition (JS, Go, Java, Rust).

    Args:
        source: The file's bytes.
        symbol: The definition.
        comment_for: Callable ``(indent, newline) -> str`` returning the whole comment,
            ending with a newline.
    """
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
    try:  # UTF-8 even under another coding cookie (read_source re-encodes), so read as text
        text: str | bytes = source.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except ValueError as exc:  # NUL bytes
        return str(exc)
    return None


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
    expected: dict[str, str] | None = None,
    strict: bool = True,
):
    """Check an edited file before it is written; return its parse.

    Args:
        original: The bytes the edits were planned on.
        edited: The bytes after the edits.
        path: Repository-relative path (for the parser and messages).
        language: Language name.
        expected: qualname -> docstring text each edited symbol must now carry.
        strict: The edited file must parse cleanly. When False (an editor buffer that is
            being typed in), it must only have no more errors than ``original``.

    Raises:
        EditRefused: The edited file would not parse, or a docstring did not land where
            it was meant to.
    """
    from indexer.parser import parse_source

    parsed = parse_source(edited, path, language)
    after = _problems(parsed, edited, language)
    if after:
        if strict:
            raise EditRefused(f"{path}: edit refused: the result would not parse: {after[0]}")
        before = parse_source(original, path, language)
        if len(parsed.error_lines) > len(before.error_lines) or (
            language == "python" and _python_error(original) is None
        ):
            raise EditRefused(f"{path}: edit refused: it would add syntax errors: {after[0]}")
    docstrings: dict[str, list[str]] = {}
    for symbol in parsed.symbols:  # a property and its setter share a qualname
        docstrings.setdefault(symbol.qualname, []).append(_squash(symbol.docstring))
    for qualname, text in (expected or {}).items():
        if _squash(text) not in docstrings.get(qualname, []):
            raise EditRefused(f"{path}: edit refused: {qualname} would not get the docstring")
    return parsed


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
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".docgen")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if content_hash(target.read_bytes()) != expected_hash:
            raise ConcurrentChangeError(f"{path}: changed while writing; not written")
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
