"""What keeps one hostile file from taking the process down or stalling it.

A cheap pre-scan refuses sources nested too deeply to parse safely, and a time budget
bounds parsing and querying (:func:`parse_tree`, :func:`query_matches`).

tree-sitter-python segfaults (the whole process dies, exit 139) on definitions nested
511 indentation levels deep, e.g. 511 nested ``def`` s with docstrings, whatever the
indentation width (510 parse). Deeply nested braces in the other grammars do not crash
(tried to 20,000) but cost quadratic time, as every qualified name repeats its parents'
(5,000 nested JavaScript functions: 17 s; 20,000: minutes).
So before tree-sitter sees a file, :func:`nesting_problem` measures

- for Python, the indentation depth (the stack of indentation widths, counted the way the
  grammar's scanner counts them: a tab is 8, lines inside strings and blank or comment
  lines ignored), refused beyond :data:`MAX_INDENT_LEVELS`: CPython's own limit (100 levels
  is "too many levels of indentation"), so no file Python can run is refused and the
  crash is five times further away;
- for every language, the bracket depth (``(``, ``[``, ``{`` outside strings and comments),
  refused beyond :data:`MAX_NESTING` (CPython itself stops at 200 nested parentheses).

Both are linear scans with a fast path: a file whose indentation and bracket counts could
not reach the limits is not scanned at all.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from tree_sitter import Node, Parser, Query, QueryCursor, Tree

__all__ = [
    "MAX_INDENT_LEVELS",
    "MAX_NESTING",
    "OverBudget",
    "nesting_problem",
    "parse_tree",
    "query_matches",
]

MAX_INDENT_LEVELS = 99
"""Deepest Python indentation accepted (CPython's: ``IndentationError`` at 100)."""
MAX_NESTING = 256
"""Deepest bracket nesting accepted, in any language."""

_OPENERS = b"([{"
_CLOSERS = b")]}"
_NOT_BRACKETS = bytes(c for c in range(256) if c not in _OPENERS + _CLOSERS)
_STEP = {**{c: 1 for c in _OPENERS}, **{c: -1 for c in _CLOSERS}}
_WIDE = re.compile(rb"^[ \t]{%d}" % (MAX_INDENT_LEVELS + 1), re.M)
_WIDE_TABS = re.compile(rb"^[ \t]{%d}" % (MAX_INDENT_LEVELS // 8 + 1), re.M)
_INDENTS = re.compile(rb"^([ \t]*)[^ \t\r\n\f]", re.M)

# Strings and comments, removed before counting (what they contain is not nesting).
_PYTHON_SKIPPED = re.compile(
    rb"""
    \#[^\n]*
    | \"\"\"(?:[^\\"]|\\.|"(?!""))*(?:\"\"\"|\Z)
    | '''(?:[^\\']|\\.|'(?!''))*(?:'''|\Z)
    | "(?:[^\\"\n]|\\.)*"?
    | '(?:[^\\'\n]|\\.)*'?
    """,
    re.X | re.S,
)
_BRACED = rb"""
    //[^\n]*
    | /\*.*?(?:\*/|\Z)
    | "(?:[^\\"\n]|\\.)*"?
    | `(?:[^\\`]|\\.)*(?:`|\Z)
"""
# JavaScript/TypeScript: '...' is a string; Go, Java, Rust: a character (a Rust lifetime
# such as 'a is not one, and is left alone)
_SCRIPT_SKIPPED = re.compile(_BRACED + rb"| '(?:[^\\'\n]|\\.)*'?", re.X | re.S)
_CHAR_SKIPPED = re.compile(_BRACED + rb"| '(?:\\[^'\n]{1,10}|[^\\'\n])'", re.X | re.S)
_SKIPPED = {"python": _PYTHON_SKIPPED, "javascript": _SCRIPT_SKIPPED, "typescript": _SCRIPT_SKIPPED}


def nesting_problem(source: bytes, language: str) -> str | None:
    """Why ``source`` is too deeply nested to parse, or ``None`` when it is not."""
    brackets = sum(source.count(bytes([c])) for c in _OPENERS) > MAX_NESTING
    indents = language == "python" and _may_be_deep(source)
    if not (brackets or indents):
        return None
    code = _SKIPPED.get(language, _CHAR_SKIPPED).sub(b"", source)
    if brackets and _bracket_depth(code) > MAX_NESTING:
        return f"brackets nested more than {MAX_NESTING} deep"
    if indents and _indent_depth(code) > MAX_INDENT_LEVELS:
        return f"more than {MAX_INDENT_LEVELS} levels of indentation (Python itself refuses 100)"
    return None


def _bracket_depth(code: bytes) -> int:
    depth = deepest = 0
    for step in map(_STEP.__getitem__, code.translate(None, _NOT_BRACKETS)):
        depth = max(0, depth + step)
        if depth > deepest:
            deepest = depth
    return deepest


def _indent_depth(code: bytes) -> int:
    """The deepest stack of indentation widths, counted as tree-sitter-python's scanner
    counts them (a tab is 8); ``code`` has no strings or comments left, only code lines."""
    stack = [0]
    deepest = 0
    for whitespace in _INDENTS.findall(code):
        width = len(whitespace) + 7 * whitespace.count(b"\t")
        while width < stack[-1]:
            stack.pop()
        if width > stack[-1]:
            stack.append(width)
            deepest = max(deepest, len(stack) - 1)
    return deepest


def _may_be_deep(source: bytes) -> bool:
    """Whether the indentation could be deeper than the limit: each level is wider than
    the one it is in, and a tab counts 8, so a line must start with more than the limit's
    spaces (or a twelfth of that with a tab); one search, stopping at the first such line."""
    return (_WIDE_TABS if b"\t" in source else _WIDE).search(source) is not None


_READ_CHUNK = 64 * 1024


class OverBudget(Exception):
    """Parsing or querying a file went past its deadline."""


def parse_tree(parser: Parser, source: bytes, deadline: float) -> Tree:
    """Parse ``source``, giving up at ``deadline`` (``time.monotonic()``).

    Raises:
        OverBudget: The deadline passed; the parser is reset for its next file.
    """

    def read(offset: int, _point) -> bytes:
        return source[offset : offset + _READ_CHUNK]

    def too_long(_offset: int, _has_error: bool) -> bool:
        return time.monotonic() > deadline

    try:  # only a parse that reads through a callback can be cancelled
        tree = parser.parse(read, progress_callback=too_long)
    except ValueError as exc:  # cancelled by the callback
        parser.reset()  # else the next parse would resume this one
        raise OverBudget from exc
    # A tree parsed from a callback reads every node's text through the callback (a third
    # of the time of a whole parse_source); re-parsing the bytes with the tree as the old
    # one reuses all of it and gives a tree that holds the bytes.
    return parser.parse(source, old_tree=tree)


def query_matches(query: Query, root: Node, deadline: float) -> Iterator[tuple[int, dict]]:
    """All matches of ``query`` under ``root``: those rooted at ``root``, then those under
    each top-level node, checking ``deadline`` in between (the cursor's own progress
    callback crashes py-tree-sitter 0.26.1).

    Raises:
        OverBudget: The deadline passed.
    """
    cursor = QueryCursor(query)
    cursor.set_max_start_depth(0)
    yield from cursor.matches(root)
    for child in root.children:
        if time.monotonic() > deadline:
            raise OverBudget
        yield from QueryCursor(query).matches(child)
