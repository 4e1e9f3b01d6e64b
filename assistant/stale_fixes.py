"""The fixes of stale sections other than the parameter list (:mod:`assistant.stale`).

Each works on the docstring's cleaned lines and changes only the lines it must; what it
writes is taken from the code: star prefixes and types from the signature, a Returns or
Yields entry from the annotation (and the summary's own "Return X"), a Raises entry with
the condition or message of its ``raise``, an Attributes entry with the annotation and a
neutral description. Findings none of them can fix stay (:data:`assistant.findings.CODES`
says which).
"""

from __future__ import annotations

import re

from assistant.codefacts import class_facts, code_facts
from assistant.findings import Finding, covers
from assistant.styles import ParamDoc, RaiseDoc, ValueDoc, signature_parameters
from assistant.styles.build import (
    _value_description,
    neutral_attribute_description,
    raise_descriptions,
)
from assistant.styles.python import PythonStyle
from assistant.styles.sections import Section, bare_exception, by_kind, sections
from assistant.typematch import mismatch
from indexer.symbols import Symbol

_SUBJECT = re.compile(r"`([^`]+)`")


def fix_sections(
    lines: list[str],
    style: PythonStyle,
    symbol: Symbol,
    findings: list[Finding],
    codes: set[str],
    code: str,
) -> list[str]:
    """``lines`` with the findings of ``codes`` fixed (the others left as they are)."""
    if "DG104" in codes or "DG130" in codes:
        lines = _fix_entries(lines, style, symbol, codes)
    if codes & {"DG111", "DG114"}:
        lines = _add_value(lines, style, symbol, code, "Yields" if "DG114" in codes else "Returns")
    if "DG121" in codes:
        lines = _add_raises(lines, style, symbol, code)
    if codes & {"DG201", "DG202"}:
        gone = [_subject(f) for f in findings if f.code == "DG201"]
        lines = _fix_attributes(
            lines, style, code, gone if "DG201" in codes else [], "DG202" in codes
        )
    return lines


def _subject(finding: Finding) -> str:
    match = _SUBJECT.search(finding.message.split(": ", 1)[-1])
    return match.group(1) if match else ""


def _fix_entries(
    lines: list[str], style: PythonStyle, symbol: Symbol, codes: set[str]
) -> list[str]:
    block = style.find_params(lines)
    if block is None:
        return lines
    lines = list(lines)
    params = {p.name.lstrip("*"): p for p in signature_parameters(symbol)}
    for entry in block.entries:
        param = params.get(entry.bare_name)
        if param is None:
            continue
        line = lines[entry.start]
        if "DG104" in codes and style.name != "sphinx":
            want = {"var_positional": "*", "var_keyword": "**"}.get(param.kind, "")
            written = entry.name.replace("\\", "")
            if written != want + entry.bare_name and entry.name in line:
                line = line.replace(entry.name, want + entry.bare_name, 1)
        if "DG130" in codes and entry.type and mismatch(entry.type, param.annotation):
            line = _retyped(
                lines, entry.start, entry.bare_name, entry.type, param.annotation, style
            )
        lines[entry.start] = line
    return lines


def _retyped(
    lines: list[str], at: int, name: str, old: str, new: str | None, style: PythonStyle
) -> str:
    line = lines[at]
    new = " ".join((new or "").split())
    if not new or old not in line:
        if style.name == "sphinx":  # the type is on its own ``:type name:`` line
            for i, other in enumerate(lines):
                if re.match(rf"^\s*:type\s+{re.escape(name)}:\s*{re.escape(old)}\s*$", other):
                    lines[i] = other[: other.index(old)] + new
        return line
    if style.name == "google" and ")" in new:
        return line
    return line.replace(old, new, 1)


def _insert_at(found: list[Section], lines: list[str], style: PythonStyle) -> int:
    """Where a new section goes: after the parameters, else before Raises or the other
    sections, else at the end."""
    params = next((s for s in found if s.kind in ("params", "keywords")), None)
    if params is not None:
        later = [s for s in found if s.kind in ("params", "keywords")]
        return max(s.end for s in later)
    first = next((s for s in found if s.kind in ("raises", "other")), None)
    if first is not None and style.name != "sphinx":
        return first.start
    end = len(lines)
    while end > 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _splice(lines: list[str], at: int, block: list[str], style: PythonStyle) -> list[str]:
    if style.name == "sphinx":
        gap = [] if at > 0 and lines[at - 1].strip().startswith(":") else [""]
        return lines[:at] + gap + block + lines[at:]
    before = lines[:at]
    after = lines[at:]
    if after and after[0].strip():
        return before + ([""] if before and before[-1].strip() else []) + block + [""] + after
    return before + ([""] if before and before[-1].strip() else []) + block + after


def _indent_of(section: Section | None, lines: list[str]) -> str:
    if section is None:
        return ""
    line = lines[section.start]
    return line[: len(line) - len(line.lstrip())]


def _add_value(
    lines: list[str], style: PythonStyle, symbol: Symbol, code: str, header: str
) -> list[str]:
    from assistant.codefacts import yielded_type

    found = sections(lines, style.name)
    if by_kind(found, "returns") or by_kind(found, "yields"):
        return lines
    typed = style.name in ("numpy", "sphinx")
    annotation = (code_facts(symbol, code).annotation or symbol.returns or "").strip() or None
    if header == "Yields":
        annotation = yielded_type(annotation)
    description = _value_description(annotation, typed, yields=header == "Yields")
    value = ValueDoc(annotation if typed else None, description)
    indent = _indent_of(found[0] if found else None, lines)
    block = [
        indent + line if line else "" for line in style.render_value(header, value).split("\n")
    ]
    return _splice(lines, _insert_at(found, lines, style), block, style)


def _add_raises(lines: list[str], style: PythonStyle, symbol: Symbol, code: str) -> list[str]:
    found = sections(lines, style.name)
    section = by_kind(found, "raises")
    if section is None:
        return lines
    facts = code_facts(symbol, code)
    documented = {bare_exception(e.name) for e in section.entries}
    missing = [
        n
        for n in sorted(facts.raises - facts.reraised)
        if n != "NotImplementedError"
        and n[:1].isupper()
        and not any(covers(d, n) for d in documented)
    ]
    if not missing:
        return lines
    reasons = raise_descriptions(code)
    rendered = style.render_raises([RaiseDoc(n, reasons.get(n, "")) for n in missing])
    new = rendered.split("\n")[style.header_lines :]
    return _append(lines, section, new, style)


def _append(
    lines: list[str], section: Section, entries: list[str], style: PythonStyle
) -> list[str]:
    """``entries`` (rendered under a header, 4-space units) appended to ``section``."""
    if style.name == "sphinx":
        at = max(stop for _, stop in section.lines)
        base = _indent_of(section, lines)
        return lines[:at] + [base + e for e in entries] + lines[at:]
    header = _indent_of(section, lines)
    if section.entries:
        first = lines[section.entries[0].start]
        unit = first[: len(first) - len(first.lstrip())]
    else:
        body = [
            line for line in lines[section.start + style.header_lines : section.end] if line.strip()
        ]
        unit = body[0][: len(body[0]) - len(body[0].lstrip())] if body else header + "    "
    out = []
    for entry in entries:
        if style.name == "numpy":  # entries start at the section's indentation
            out.append(unit + entry if entry else "")
        else:
            out.append(unit + entry[4:] if entry.startswith("    ") else unit + entry)
    return lines[: section.end] + out + lines[section.end :]


def _fix_attributes(
    lines: list[str], style: PythonStyle, code: str, gone: list[str], add: bool
) -> list[str]:
    found = sections(lines, style.name)
    section = by_kind(found, "attributes")
    if section is None:
        return lines
    drop = set()
    for entry in section.entries:
        if entry.name.lstrip("*") in gone:
            drop.update(range(entry.start, entry.end))
    if style.name == "sphinx":
        for i, line in enumerate(lines):
            match = re.match(r"^\s*:vartype\s+(\w+):", line)
            if match and match.group(1) in gone:
                drop.add(i)
    kept = [line for i, line in enumerate(lines) if i not in drop]
    if not add:
        return kept
    facts = class_facts(code)
    section = by_kind(sections(kept, style.name), "attributes")
    if facts is None or section is None:
        return kept
    documented = {e.name.lstrip("*") for e in section.entries}
    new = []
    for attr in facts.public:
        if attr.name in documented:
            continue
        annotation = " ".join(attr.annotation.split()) if attr.annotation else None
        if annotation and len(annotation) > 40:
            annotation = None
        text = neutral_attribute_description(attr.name, annotation, style.name)
        new.append(ParamDoc(attr.name, annotation, text))
    if not new:
        return kept
    rendered = style.render_attributes(new).split("\n")[style.header_lines :]
    return _append(kept, section, rendered, style)
