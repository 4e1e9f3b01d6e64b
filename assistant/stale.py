"""Stale docstrings: documented parameters that no longer match the signature.

A docstring is stale when it documents parameters (in any supported Python style) and
that list differs from the signature: a parameter was added, removed or renamed. A
docstring that documents no parameters at all is not checked (it makes no claim).

The update replaces only the lines of the parameter entries inside the docstring
literal: the summary, hand-written prose, examples and other sections keep every byte;
descriptions of parameters that still exist (or were renamed) are kept as written.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.edits import (
    EditRefused,
    TextEdit,
    detect_newline,
    line_column,
    unparsable_reason,
)
from assistant.line_length import DEFAULT_LINE_LENGTH
from assistant.styles import (
    PYTHON_STYLES,
    ParamBlock,
    ParamDoc,
    ParamEntry,
    detect_docstring_style,
    find_params,
    signature_parameters,
)
from assistant.styles.python import PythonStyle, SphinxStyle
from indexer.symbols import Parameter, ParsedFile, Symbol

__all__ = ["StaleFinding", "documented_parameters", "find_stale", "plan_stale_update"]


@dataclass(slots=True)
class StaleFinding:
    """A docstring whose documented parameters differ from the signature.

    Attributes:
        path: Repository-relative file path.
        qualname: The symbol's qualified name.
        line: 1-based line of the symbol's name.
        style: Style the docstring is written in.
        added: Parameters in the signature that are not documented.
        removed: Documented parameters that are not in the signature.
        renamed: ``(old, new)`` pairs: a documented name replaced at the same position.
    """

    path: str
    qualname: str
    line: int
    style: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def message(self) -> str:
        """One line saying what changed, for diagnostics and reports."""
        parts = [f"renamed {old} -> {new}" for old, new in self.renamed]
        if self.added:
            parts.append("undocumented: " + ", ".join(self.added))
        if self.removed:
            parts.append("no longer in the signature: " + ", ".join(self.removed))
        return "stale docstring: " + "; ".join(parts)


def documented_parameters(symbol: Symbol, default_style: str = "google") -> list[str] | None:
    """Return the bare names a docstring documents, or None if it has no parameter list."""
    found = _documented(symbol, default_style)
    return None if found is None else found[1]


def _documented(symbol: Symbol, default_style: str) -> tuple[str, list[str]] | None:
    """Return the docstring's style and the bare names it documents (None: no list)."""
    if not symbol.docstring:
        return None
    style = detect_docstring_style(symbol.docstring) or default_style
    block = find_params(symbol.docstring, style)
    if block is None or not block.entries:
        return None
    return style, [entry.bare_name for entry in block.entries]


def _compare(documented: list[str], signature: list[Parameter]) -> tuple[list, list, list]:
    names = [p.name.lstrip("*") for p in signature]
    added = [n for n in names if n not in documented]
    removed = [n for n in documented if n not in names]
    variadic = {
        p.name.lstrip("*") for p in signature if p.kind in ("var_positional", "var_keyword")
    }
    renamed = []
    for old in list(removed):
        index = documented.index(old)
        new = names[index] if index < len(names) else None
        if new is not None and new in added and new not in variadic:
            renamed.append((old, new))
    if not renamed and len(added) == 1 and len(removed) == 1 and added[0] not in variadic:
        renamed.append((removed[0], added[0]))
    for old, new in renamed:
        removed.remove(old)
        added.remove(new)
    if any(p.kind == "var_keyword" for p in signature):
        removed = []  # documented names may be keyword arguments taken by **kwargs
    return added, removed, renamed


def check_symbol(symbol: Symbol, default_style: str = "google") -> StaleFinding | None:
    """Return the finding for one symbol, or None when its docstring matches."""
    if symbol.language != "python" or symbol.kind not in ("function", "method"):
        return None
    found = _documented(symbol, default_style)
    if found is None:
        return None
    style, documented = found
    added, removed, renamed = _compare(documented, signature_parameters(symbol))
    if not (added or removed or renamed):
        return None
    return StaleFinding(symbol.path, symbol.qualname, symbol.line, style, added, removed, renamed)


def find_stale(parsed_file: ParsedFile, default_style: str = "google") -> list[StaleFinding]:
    """Return the stale docstrings of a parsed file, in file order."""
    findings = []
    for symbol in parsed_file.symbols:
        finding = check_symbol(symbol, default_style)
        if finding is not None:
            findings.append(finding)
    return findings


@dataclass(slots=True)
class _RawDoc:
    """The docstring literal's body split into lines, with the cleandoc mapping."""

    body_start: int  # byte offset of the body in the file
    lines: list[str]  # raw lines (no line endings)
    offsets: list[int]  # byte offset of each raw line in the file
    first: int  # raw index of cleaned line 0
    margin: str  # indentation removed from lines after the first


def _raw_doc(source: bytes, symbol: Symbol) -> _RawDoc:
    span = symbol.doc_span
    assert span is not None
    raw = source[span.start_byte : span.end_byte]
    if not _single_literal(raw):
        raise EditRefused(
            f"{symbol.qualname}: its docstring is not a single string literal; "
            "not updated in place (join it into one literal first)"
        )
    quote_at = min(i for i in (raw.find(b'"'), raw.find(b"'")) if i >= 0)
    quote_len = 3 if raw[quote_at : quote_at + 3] in (b'"""', b"'''") else 1
    body_start = span.start_byte + quote_at + quote_len
    body = source[body_start : span.end_byte - quote_len]
    lines, offsets, offset = [], [], body_start
    for chunk in body.split(b"\n"):
        offsets.append(offset)
        lines.append(chunk.decode("utf-8", "replace").rstrip("\r"))
        offset += len(chunk) + 1
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    rest = [line for line in lines[first + 1 :] if line.strip()]
    margin = ""
    if rest:
        margin = min((line[: len(line) - len(line.lstrip())] for line in rest), key=len)
    return _RawDoc(body_start, lines, offsets, first, margin)


def _single_literal(raw: bytes) -> bool:
    """``raw`` is one string token (not ``("a" "b")``, not an f-string)."""
    text = raw.decode("utf-8", "surrogateescape")
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
        ]
    except (tokenize.TokenError, SyntaxError):
        return False
    return len(tokens) == 1 and tokens[0].type == tokenize.STRING


def _cleaned(doc: _RawDoc) -> list[str]:
    out = []
    for index, line in enumerate(doc.lines[doc.first :]):
        if index == 0:
            out.append(line.strip())
        else:
            out.append(line[len(doc.margin) :] if line.startswith(doc.margin) else line.lstrip())
    return out


def plan_stale_update(
    source: bytes,
    symbol: Symbol,
    finding: StaleFinding,
    describe: Callable[[Parameter], str],
    line_length: int = DEFAULT_LINE_LENGTH,
) -> tuple[TextEdit, str]:
    """Plan the edit that brings a stale docstring's parameter list up to date.

    Args:
        source: The file's bytes.
        symbol: The symbol of ``finding``, parsed from ``source``.
        finding: What is stale.
        describe: Returns a description for a parameter that was never documented.
        line_length: The project's line length (:func:`assistant.line_length.
            project_line_length`): new entries are wrapped to it; entries that stay keep
            their lines as written.

    Returns:
        The edit (only the parameter lines change) and the updated docstring text
        (cleaned, as the JSON output reports it).

    Raises:
        EditRefused: The file does not parse, or the parameter list cannot be located.
    """
    reason = unparsable_reason(source, symbol.path, "python")
    if reason is not None:
        raise EditRefused(reason)
    doc = _raw_doc(source, symbol)
    cleaned = _cleaned(doc)
    style = PYTHON_STYLES[finding.style]
    block = style.find_params(cleaned)
    if block is None or block.start == 0:
        raise EditRefused(f"{symbol.qualname}: cannot locate its parameter list")
    newline = detect_newline(source)
    base = doc.margin + _block_indent(cleaned, block.start)
    width = line_length - len(base.expandtabs(4))
    new_block = _updated_block(
        cleaned, block, style, symbol, finding, describe, _entry_unit(cleaned, block), width
    )
    first = block.start
    if len(new_block) <= style.header_lines:  # no parameter left: the section goes
        new_block = []
        while first > 1 and not cleaned[first - 1].strip():
            first -= 1  # with the blank line(s) above it
    new_cleaned = cleaned[:first] + new_block + cleaned[block.end :]
    raw_start = doc.first + first
    raw_end = doc.first + block.end
    start = doc.offsets[raw_start]
    end = doc.offsets[raw_end] if raw_end < len(doc.offsets) else None
    text_lines = [f"{base}{line}" if line.strip() else "" for line in new_block]
    if end is None:  # the block runs to the closing quotes
        end = doc.offsets[-1] + len(doc.lines[-1].encode("utf-8"))
        text = "".join(line + newline for line in text_lines) + doc.lines[-1]
        if doc.lines[-1].strip():
            raise EditRefused(f"{symbol.qualname}: closing quotes share a line with parameters")
    else:
        text = "".join(line + newline for line in text_lines)
    edit = TextEdit(*line_column(source, start), *line_column(source, end), text, start, end)
    return edit, "\n".join(new_cleaned).strip("\n")


def _updated_block(
    cleaned: list[str],
    block: ParamBlock,
    style: PythonStyle,
    symbol: Symbol,
    finding: StaleFinding,
    describe: Callable[[Parameter], str],
    unit: str,
    width: int,
) -> list[str]:
    """The parameter block's new lines (cleaned, relative to the block's indentation).

    The section header and every entry of a parameter that is still there keep their
    lines as written (a renamed one gets only its name changed); entries of parameters
    that were never documented are rendered and wrapped to ``width``. Removed entries
    go; other lines inside the block (comments, non-parameter fields) are kept after it.
    """
    by_name = {entry.bare_name: entry for entry in block.entries}
    renamed_from = {new: old for old, new in finding.renamed}
    signature = signature_parameters(symbol)
    unchanged = {p.name.lstrip("*") for p in signature} - set(renamed_from)
    types = style.type_ranges(cleaned, block) if isinstance(style, SphinxStyle) else {}
    shared: dict[tuple[int, int], list[ParamEntry]] = {}
    for entry in block.entries:  # NumPy's "x, y : int" is one entry for two names
        shared.setdefault((entry.start, entry.end), []).append(entry)
    indent = _block_indent(cleaned, block.start)

    def as_written(start: int, stop: int, rename: tuple[str, str] | None = None) -> list[str]:
        out = [
            line[len(indent) :] if line.startswith(indent) else line for line in cleaned[start:stop]
        ]
        if rename is not None and out:
            out[0] = style.rename_entry_line(out[0], *rename)
        return out

    header = style.header_lines
    lines = as_written(block.start, block.start + header)
    emitted: set[tuple[int, int]] = set()
    typed = set(by_name) & set(types)  # type lines that go with an entry (kept or removed)
    for param in signature:
        bare = param.name.lstrip("*")
        old = bare if bare in by_name else renamed_from.get(bare)
        entry = by_name.get(old) if old else None
        if entry is not None:
            key = (entry.start, entry.end)
            if key in emitted:
                continue
            if len(shared[key]) == 1 or all(e.bare_name in unchanged for e in shared[key]):
                emitted.add(key)
                rename = (old, bare) if old != bare else None
                lines += as_written(entry.start, entry.end, rename)
                if old in types:
                    lines += as_written(*types[old], rename)
                continue
        name = {"var_positional": "*", "var_keyword": "**"}.get(param.kind, "") + bare
        if entry is not None:
            param_doc = ParamDoc(name, entry.type, entry.description, param.default)
        else:
            param_doc = ParamDoc(name, None, describe(param), param.default)
        rendered = style.render_entry(param_doc)
        rendered = [unit + line[4:] if line.startswith("    ") else line for line in rendered]
        lines += style.wrap_entry(rendered, width, unit)
        if entry is None and bare in types:  # a ":type x:" that had no ":param x:"
            lines += as_written(*types[bare])
            typed.add(bare)
    covered = {i for e in block.entries for i in range(e.start, e.end)}
    covered |= {i for name in typed for i in range(*types[name])}
    covered |= set(range(block.start, block.start + header))
    for i in range(block.start, block.end):
        if cleaned[i].strip() and i not in covered:
            lines += as_written(i, i + 1)
    return lines


def _entry_unit(cleaned: list[str], block) -> str:
    """The indentation the docstring itself uses for entries under a header (tabs too)."""
    if not block.entries or block.entries[0].start == block.start:
        return "    "
    header = _block_indent(cleaned, block.start)
    entry = _block_indent(cleaned, block.entries[0].start)
    unit = entry[len(header) :] if entry.startswith(header) else ""
    return unit or "    "


def _block_indent(cleaned: list[str], start: int) -> str:
    line = cleaned[start]
    return line[: len(line) - len(line.lstrip())]
