"""Where a Python docstring goes, and what around it must not move.

The rules (PEP 257, PEP 484 and what linters read):

- A definition's docstring is the first statement of its body, right below the header. A
  comment block that opens the body stays below it, unchanged; only a PEP 484 signature
  type comment (``# type: (int) -> str``) stays directly under the header, as the PEP
  requires, with the docstring after it.
- Comments keep their line. For a one-line definition (``def f(): ...  # type: ignore``)
  the trailing comment belongs to the header line (that is where mypy, flake8 and
  coverage read it): the header keeps it and the body moves below the docstring. Only a
  ``# type: ignore[...]`` whose codes are all errors of statements (``attr-defined``,
  ``return-value``, ...) goes with the body, where mypy reports those.
- A class docstring is followed by a blank line when the class body opens with a method
  (or a decorator or nested class).
- A module docstring goes after the shebang, the coding cookie and the leading comment
  block (and the blank lines after them), before the first statement, so before any
  ``from __future__`` import; a blank line separates it from the code.

Functions here return byte offsets and text; :mod:`assistant.edits` turns them into edits.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass

BOM = b"\xef\xbb\xbf"

LiteralFor = Callable[[str, str], str]
"""``(indent, newline) -> str``: the docstring literal at that indentation."""


class PlacementError(ValueError):
    """The insertion point cannot be found safely (the caller refuses the edit)."""


@dataclass(frozen=True, slots=True)
class Insertion:
    """Replace ``source[start:end]`` with ``text``."""

    start: int
    end: int
    text: str


def line_start(source: bytes, offset: int) -> int:
    """Return the offset of the start of the line holding byte ``offset``."""
    return source.rfind(b"\n", 0, offset) + 1


def line_end(source: bytes, offset: int) -> int:
    """Return the offset of the line ending (``\\r\\n`` or ``\\n``) after ``offset``."""
    end = source.find(b"\n", offset)
    if end < 0:
        return len(source)
    return end - 1 if source[end - 1 : end] == b"\r" else end


def leading_ws(source: bytes, offset: int) -> str:
    """Return the indentation of the line holding byte ``offset``."""
    start = line_start(source, offset)
    line = source[start:offset]
    stripped = line.lstrip(b" \t")
    return line[: len(line) - len(stripped)].decode("ascii")


def indent_unit(indent: str) -> str:
    """One more level of indentation in the file's own kind (tabs or four spaces)."""
    return "\t" if "\t" in indent else "    "


def _is_comment_or_blank(line: bytes) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith(b"#")


def _is_signature_type_comment(line: bytes) -> bool:
    text = line.strip()
    if not text.startswith(b"#"):
        return False
    body = text[1:].lstrip()
    return body.startswith(b"type:") and not body[5:].lstrip().startswith(b"ignore")


# mypy error codes reported on the line of the statement that causes them, never on a
# ``def``/``class`` line; an ignore listing only these silences the one-line body
_BODY_ERROR_CODES = frozenset(
    "abstract arg-type assignment attr-defined await-not-async call-arg call-overload "
    "comparison-overlap dict-item func-returns-value has-type index list-item "
    "no-any-return no-untyped-call operator possibly-undefined redundant-cast "
    "redundant-expr return-value safe-super str-bytes-safe str-format top-level-await "
    "truthy-bool truthy-function typeddict-item typeddict-unknown-key union-attr "
    "unreachable unused-coroutine var-annotated".split()
)
_TYPE_IGNORE = re.compile(rb"#\s*type:\s*ignore\[([^\]]*)\]")


def silences_the_body(comment: bytes) -> bool:
    """``# type: ignore[attr-defined]``: errors only a statement has, so the comment
    follows the one-line body; anything else (other codes, a bare ignore, ``# noqa``,
    ``# pragma: no cover``) is read on the header line and stays there."""
    match = _TYPE_IGNORE.match(comment)
    if not match:
        return False
    codes = {code.strip().decode("ascii", "replace") for code in match.group(1).split(b",")}
    codes.discard("")
    return bool(codes) and codes <= _BODY_ERROR_CODES


def trailing_comment(source: bytes, start: int) -> tuple[int, int] | None:
    """Return the (start, end) bytes of the comment ending the line of code at ``start``.

    The line is tokenized from ``start`` (the first statement of a one-line body), so a
    ``#`` inside a string is not taken for a comment.
    """
    end = line_end(source, start)
    text = source[start:end].decode("utf-8", "surrogateescape")
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.start[0] > 1:
                break
            if token.type == tokenize.COMMENT:
                prefix = text[: token.start[1]].encode("utf-8", "surrogateescape")
                return start + len(prefix), end
    except (tokenize.TokenError, SyntaxError):
        pass  # the statement goes on below (open bracket, long string): no comment here
    return None


def definition_insertion(
    source: bytes,
    header_start: int,
    body_start: int,
    is_class: bool,
    literal_for: LiteralFor,
    newline: str,
) -> Insertion:
    """Plan a docstring as the first statement of a function or class body.

    Args:
        source: The file's bytes.
        header_start: Offset of the definition (its first decorator included).
        body_start: Offset of the body's first statement.
        is_class: A class (a blank line then separates the docstring from a method).
        literal_for: Renders the docstring literal.
        newline: The file's line ending.

    Raises:
        PlacementError: The end of the header cannot be found.
    """
    body_line = line_start(source, body_start)
    if source[body_line:body_start].strip(b" \t"):
        return _one_line(source, header_start, body_start, literal_for, newline)
    # walk up from the body over the comment block / blank lines that open it
    header_end = body_line
    while True:
        if header_end <= line_start(source, header_start):
            raise PlacementError("cannot find the end of its header")
        previous = line_start(source, header_end - 1)
        if not _is_comment_or_blank(source[previous:header_end]):
            break
        header_end = previous
    at = header_end
    first = source[at : source.find(b"\n", at) + 1 or len(source)]
    if _is_signature_type_comment(first):
        at += len(first)  # PEP 484: the signature type comment stays under the header
    indent = leading_ws(source, body_start)
    text = indent + literal_for(indent, newline) + newline
    if is_class and source[body_start:].startswith((b"def", b"async", b"@", b"class")):
        following = source[at : source.find(b"\n", at) + 1 or len(source)]
        if following.strip():
            text += newline
    return Insertion(at, at, text)


def _one_line(
    source: bytes, header_start: int, body_start: int, literal_for: LiteralFor, newline: str
) -> Insertion:
    """``def f(x): return x  # c`` -> header with its comment, docstring, then the body."""
    colon = len(source[:body_start].rstrip(b" \t"))
    if source[colon - 1 : colon] != b":":
        raise PlacementError("cannot find the end of its header")
    header_indent = leading_ws(source, header_start)
    indent = header_indent + indent_unit(header_indent)
    literal = literal_for(indent, newline)
    comment = trailing_comment(source, body_start)
    if comment is None or silences_the_body(source[comment[0] : comment[1]]):
        return Insertion(colon, body_start, newline + indent + literal + newline + indent)
    comment_start, comment_end = comment
    code = source[body_start:comment_start].rstrip(b" \t")
    gap = source[body_start + len(code) : comment_start].decode("ascii")
    text = (
        gap
        + source[comment_start:comment_end].decode("utf-8", "surrogateescape")
        + newline
        + indent
        + literal
        + newline
        + indent
        + code.decode("utf-8", "surrogateescape")
    )
    return Insertion(colon, comment_end, text)


def module_insertion(source: bytes, literal_for: LiteralFor, newline: str) -> Insertion:
    """Plan a module docstring: below the shebang, cookie and leading comments."""
    offset = len(BOM) if source.startswith(BOM) else 0
    start = offset
    seen_comment = False
    position = offset
    while position < len(source):
        end = source.find(b"\n", position)
        end = len(source) if end < 0 else end + 1
        line = source[position:end]
        if not _is_comment_or_blank(line):
            break
        seen_comment = seen_comment or line.strip().startswith(b"#")
        position = end
    if seen_comment:
        offset = position  # comments (and the blank lines after them) stay above
    text = literal_for("", newline) + newline
    if offset > start and source[offset - 1 : offset] != b"\n":
        text = newline + text  # a last comment line without a line ending
    rest = source[offset:]
    if rest.strip() and rest.lstrip(b" \t")[:1] not in (b"\r", b"\n"):
        text += newline
    return Insertion(offset, offset, text)
