"""The part of a Python file that edits can change: the top-level statements they fall in.

Checking an edited file means parsing it, and a large module costs tens of milliseconds
of uninterruptible parsing (Python's own parser holds the interpreter lock throughout):
in the language server that is time every hover waits. An edit that lies inside one
top-level statement (a docstring inserted into a function or a method, a stale entry
replaced) cannot change how the rest of the file parses: the original parses, every
other byte is unchanged, and a top-level statement starts at column 0 outside any
bracket or string. So if those statements, edits applied, parse on their own as a module
(which also means they end outside any string, bracket or line continuation), the whole
edited file parses. :func:`edited_region` builds that source;
:func:`assistant.edits.check_together` accepts edits whose region passes and checks the
whole file otherwise (and for every refusal, so its message names the file's lines).
"""

from __future__ import annotations

import ast
import warnings
from functools import lru_cache
from typing import Any

Spans = tuple[tuple[int, int], ...]


@lru_cache(maxsize=16)  # the files being edited: one entry per open buffer version
def python_outline(source: bytes) -> tuple[str | None, Spans | None]:
    """Python's own parse of ``source``, once for both questions asked of a file being
    edited: why it does not parse (``line N: message``; None when it parses) and the byte
    range ``(start, end)`` of each top-level statement, from the start of its first line
    (decorators included) to the end of its last line (None when it does not parse, is
    not UTF-8, or has line breaks the byte offsets may not agree on: a lone carriage
    return)."""
    try:  # UTF-8 even under another coding cookie (read_source re-encodes), so read as text
        text: str | bytes = source.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}", None
    except ValueError as exc:  # NUL bytes
        return str(exc), None
    except (RecursionError, MemoryError):  # e.g. 200,000 unary minus signs in a row
        return "too deeply nested for Python's parser", None
    if isinstance(text, bytes) or b"\r" in source.replace(b"\r\n", b""):
        return None, None
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        last = node.end_lineno or node.lineno
        if last >= len(starts):
            return None, None
        spans.append((starts[first - 1], starts[last]))
    return None, tuple(spans)


def statement_spans(source: bytes) -> Spans | None:
    """The top-level statements' byte ranges of :func:`python_outline`, or None."""
    return python_outline(source)[1]


def edited_region(source: bytes, edits: list[Any]) -> bytes | None:
    """The top-level statements of ``source`` that ``edits`` (:class:`assistant.edits.
    TextEdit`: their byte offsets and new text) fall in, in file order, with
    the edits applied: a standalone Python source that parses exactly when those
    statements still parse in the file. None when an edit is not inside one statement
    (between statements, across two, or the source cannot be split): check the whole
    file instead (never for a source that does not parse)."""
    spans = statement_spans(source)
    if not spans or not edits:
        return None
    touched: dict[int, list[Any]] = {}
    for edit in edits:
        index = next(
            (i for i, (lo, hi) in enumerate(spans) if lo <= edit.start_byte <= edit.end_byte < hi),
            None,
        )
        if index is None:
            return None
        touched.setdefault(index, []).append(edit)
    out = bytearray()
    for index in sorted(touched):
        lo, hi = spans[index]
        chunk = bytearray(source[lo:hi])
        for edit in sorted(touched[index], key=lambda e: e.start_byte, reverse=True):
            chunk[edit.start_byte - lo : edit.end_byte - lo] = edit.new_text.encode("utf-8")
        if not chunk.endswith((b"\n", b"\r")):
            chunk += b"\n"
        out += chunk
    return bytes(out)
