"""Stale docstrings: where a docstring no longer matches its code, and the fix.

A docstring is stale when :mod:`assistant.findings` reports drift for it: parameters
added, removed, renamed, reordered or starred wrongly, a Returns/Yields/Raises section or
a documented type at odds with the code, an Attributes section at odds with the class
(each finding has its code, see :data:`assistant.findings.CODES`). A docstring that
documents no parameters makes no claim about them.

The update (:func:`plan_stale_update`) fixes the fixable findings by replacing only the
lines it must inside the docstring literal: the summary, hand-written prose, examples
and other sections keep every byte; descriptions of parameters that still exist (or were
renamed) are kept as written. What it writes is true by construction: names and types
from the signature, neutral descriptions, raise conditions from the code. Findings it
cannot fix (a Returns section on a function that returns nothing: the prose may be what
is right) are named in the refusal or the result's note.
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
from assistant.findings import (
    DEFAULT_IGNORED,
    Finding,
    class_drift,
    compare_parameters,
    function_drift,
    type_variables,
)
from assistant.line_length import DEFAULT_LINE_LENGTH
from assistant.stale_fixes import fix_sections
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

__all__ = [
    "StaleFinding",
    "check_symbol",
    "documented_parameters",
    "drift_findings",
    "find_stale",
    "plan_stale_update",
]

PARAMETER_CODES = {"DG101", "DG102", "DG103", "DG104", "DG105"}


@dataclass(slots=True)
class StaleFinding:
    """A docstring that no longer matches its code: every finding of one symbol.

    Attributes:
        path: Repository-relative file path.
        qualname: The symbol's qualified name.
        line: 1-based line of the symbol's name.
        style: Style the docstring is written in.
        added: Parameters in the signature that are not documented.
        removed: Documented parameters that are not in the signature.
        renamed: ``(old, new)`` pairs: a documented name replaced at the same position.
        findings: Every finding of the symbol (parameters included), with its code.
    """

    path: str
    qualname: str
    line: int
    style: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def fixable(self) -> bool:
        """Whether ``docgen generate --update-stale`` fixes any of its findings."""
        return any(f.fixable for f in self.findings) or bool(
            not self.findings and (self.added or self.removed or self.renamed)
        )

    @property
    def message(self) -> str:
        """One line saying what is stale, for diagnostics and reports."""
        if not self.findings:
            parts = [f"renamed {old} -> {new}" for old, new in self.renamed]
            if self.added:
                parts.append("undocumented: " + ", ".join(self.added))
            if self.removed:
                parts.append("no longer in the signature: " + ", ".join(self.removed))
            return "stale docstring: " + "; ".join(parts)
        parts = [f"{f.code} {f.message.split(': ', 1)[-1]}" for f in self.findings]
        manual = sorted({f.code for f in self.findings if not f.fixable})
        tail = f" (not fixed automatically: {', '.join(manual)})" if manual else ""
        return "stale docstring: " + "; ".join(parts) + tail


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


def check_symbol(
    symbol: Symbol,
    default_style: str = "google",
    source: bytes | None = None,
    classes: dict[str, str] | None = None,
    every_code: bool = False,
    typevars: set[str] | None = None,
) -> StaleFinding | None:
    """Return the finding for one symbol, or None when its docstring matches.

    ``source``: the file's bytes (returns, yields, raises and attributes are read from
    the code; without it only what the parse recorded is used, and classes are not
    checked). ``classes``: the code of the file's classes by name (base classes).
    ``every_code``: keep the codes not selected by default
    (:data:`assistant.findings.DEFAULT_IGNORED`; ``docgen check --select`` asks for them).
    """
    if symbol.language != "python" or not symbol.docstring:
        return None
    code = _code(source, symbol)
    if symbol.kind == "class":
        findings = class_drift(symbol, code, default_style, classes)
    else:
        if typevars is None and source is not None:
            typevars = type_variables(source)
        findings = function_drift(symbol, code, default_style, typevars or set())
    if not every_code:
        findings = [f for f in findings if f.code not in DEFAULT_IGNORED]
    if not findings:
        return None
    style = detect_docstring_style(symbol.docstring) or default_style
    added, removed, renamed = [], [], []
    documented = _documented(symbol, default_style)
    if documented is not None:
        added, removed, renamed = compare_parameters(documented[1], signature_parameters(symbol))
    return StaleFinding(
        symbol.path, symbol.qualname, symbol.line, style, added, removed, renamed, findings
    )


def _code(source: bytes | None, symbol: Symbol) -> str | None:
    if source is None:
        return None
    from indexer.text import symbol_source

    return symbol_source(source, symbol)


def find_stale(
    parsed_file: ParsedFile,
    default_style: str = "google",
    source: bytes | None = None,
    every_code: bool = False,
) -> list[StaleFinding]:
    """Return the stale docstrings of a parsed file, in file order (see :func:`check_symbol`)."""
    classes, typevars = {}, type_variables(source) if source is not None else set()
    if source is not None:
        classes = {s.name: _code(source, s) or "" for s in parsed_file.symbols if s.kind == "class"}
    findings = []
    for symbol in parsed_file.symbols:
        finding = check_symbol(symbol, default_style, source, classes, every_code, typevars)
        if finding is not None:
            findings.append(finding)
    return findings


def drift_findings(
    parsed_file: ParsedFile, source: bytes, default_style: str = "google"
) -> list[Finding]:
    """Every drift finding of a parsed file (every code), in file order."""
    found = find_stale(parsed_file, default_style, source, every_code=True)
    return [f for stale in found for f in stale.findings]


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
    """Plan the edit that fixes a stale docstring's fixable findings.

    Args:
        source: The file's bytes.
        symbol: The symbol of ``finding``, parsed from ``source``.
        finding: What is stale.
        describe: Returns a description for a parameter that was never documented.
        line_length: The project's line length (:func:`assistant.line_length.
            project_line_length`): new entries are wrapped to it; entries that stay keep
            their lines as written.

    Returns:
        The edit (only the lines that change) and the updated docstring text (cleaned,
        as the JSON output reports it).

    Raises:
        EditRefused: The file does not parse, a section cannot be located, or no finding
            of ``finding`` can be fixed automatically (the refusal names them).
    """
    reason = unparsable_reason(source, symbol.path, "python")
    if reason is not None:
        raise EditRefused(reason)
    doc = _raw_doc(source, symbol)
    cleaned = _cleaned(doc)
    style = PYTHON_STYLES[finding.style]
    codes = {f.code for f in finding.findings if f.fixable} or (
        PARAMETER_CODES if finding.added or finding.removed or finding.renamed else set()
    )
    new = list(cleaned)
    if codes & PARAMETER_CODES:
        new = _fix_parameters(new, style, symbol, finding, describe, line_length, doc.margin)
    new = fix_sections(new, style, symbol, finding.findings, codes, _code(source, symbol) or "")
    if new == cleaned:
        manual = sorted({f.code for f in finding.findings})
        raise EditRefused(
            f"{symbol.qualname}: {', '.join(manual)} cannot be fixed automatically; "
            "edit the docstring by hand"
        )
    edit = _minimal_edit(source, doc, cleaned, new, symbol)
    return edit, "\n".join(new).strip("\n")


def _fix_parameters(
    cleaned: list[str],
    style: PythonStyle,
    symbol: Symbol,
    finding: StaleFinding,
    describe: Callable[[Parameter], str],
    line_length: int,
    margin: str,
) -> list[str]:
    block = style.find_params(cleaned)
    if block is None or block.start == 0:
        raise EditRefused(f"{symbol.qualname}: cannot locate its parameter list")
    indent = _block_indent(cleaned, block.start)
    width = line_length - len((margin + indent).expandtabs(4))
    new_block = _updated_block(
        cleaned, block, style, symbol, finding, describe, _entry_unit(cleaned, block), width
    )
    first = block.start
    if len(new_block) <= style.header_lines:  # no parameter left: the section goes
        new_block = []
        while first > 1 and not cleaned[first - 1].strip():
            first -= 1  # with the blank line(s) above it
    lines = [f"{indent}{line}" if line.strip() else "" for line in new_block]
    return cleaned[:first] + lines + cleaned[block.end :]


def _minimal_edit(
    source: bytes, doc: _RawDoc, old: list[str], new: list[str], symbol: Symbol
) -> TextEdit:
    """The edit replacing only the raw lines between the first and last changed lines."""
    suffix = 0
    while suffix < min(len(old), len(new)) and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    prefix = 0
    while prefix < min(len(old), len(new)) - suffix and old[prefix] == new[prefix]:
        prefix += 1
    if prefix == 0:
        raise EditRefused(f"{symbol.qualname}: the update would change the summary line")
    newline = detect_newline(source)
    lines = [
        f"{doc.margin}{line}" if line.strip() else "" for line in new[prefix : len(new) - suffix]
    ]
    raw_start, raw_end = doc.first + prefix, doc.first + len(old) - suffix
    start = doc.offsets[raw_start] if raw_start < len(doc.offsets) else None
    if raw_end < len(doc.offsets):
        end = doc.offsets[raw_end]
        text = "".join(line + newline for line in lines)
        if start is None:
            raise EditRefused(f"{symbol.qualname}: cannot place the update")
    else:  # the change runs to the closing quotes, which share the last line
        end = doc.offsets[-1] + len(doc.lines[-1].encode("utf-8"))
        if start is None:  # appended after the last line
            start = end
            text = "".join(newline + line for line in lines)
        else:
            text = newline.join(lines)
    return TextEdit(*line_column(source, start), *line_column(source, end), text, start, end)


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
