"""The sections of an existing Python docstring (Google, NumPy, Sphinx), as line ranges.

:mod:`assistant.findings` compares them with the code and :mod:`assistant.stale` edits
them; parameters keep their own reader (:meth:`PythonStyle.find_params`), this module reads
the rest: Returns, Yields, Raises and Attributes. Every range is of the docstring's
*cleaned* lines (:func:`inspect.cleandoc`), end exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.styles.python import (
    _GOOGLE_HEADER,
    _NUMPY_UNDERLINE,
    _SPHINX_FIELD,
    ParamEntry,
    _indent,
    _join,
    _trim_blank,
)

KINDS = ("params", "returns", "yields", "raises", "attributes")

_GOOGLE_KINDS = {
    "args": "params",
    "arguments": "params",
    "parameters": "params",
    "params": "params",
    "keyword args": "keywords",
    "keyword arguments": "keywords",
    "other parameters": "keywords",
    "return": "returns",
    "returns": "returns",
    "yield": "yields",
    "yields": "yields",
    "raises": "raises",
    "exception": "raises",
    "exceptions": "raises",
    "attributes": "attributes",
}
_NUMPY_KINDS = {
    "parameters": "params",
    "other parameters": "keywords",
    "returns": "returns",
    "yields": "yields",
    "raises": "raises",
    "attributes": "attributes",
}
_SPHINX_KINDS = {
    "param": "params",
    "parameter": "params",
    "arg": "params",
    "argument": "params",
    "key": "keywords",
    "keyword": "keywords",
    "type": "params",
    "returns": "returns",
    "return": "returns",
    "rtype": "returns",
    "yields": "yields",
    "yield": "yields",
    "ytype": "yields",
    "raises": "raises",
    "raise": "raises",
    "except": "raises",
    "exception": "raises",
    "ivar": "attributes",
    "cvar": "attributes",
    "var": "attributes",
    "vartype": "attributes",
}
_GOOGLE_ATTR = re.compile(r"^\s*(\\?\*{0,2}\w+)\s*(?:\(([^)]*)\))?\s*:(?:\s+(.*)|\s*)$")
_NAMES = re.compile(r"^\s*(~?[A-Za-z_][\w.]*(?:\s*(?:,|\bor\b|\|)\s*~?[A-Za-z_][\w.]*)*)\s*:?(.*)$")
_NUMPY_ATTR = re.compile(r"^\s*(\w+)\s*(?::\s*(.*))?$")
_GOOGLE_VALUE = re.compile(r"^\s*([\w.\[\], |\"']+?)\s*:\s+(.*)$")


@dataclass(slots=True)
class Section:
    """One section of a docstring.

    Attributes:
        kind: ``params``, ``keywords``, ``returns``, ``yields``, ``raises``,
            ``attributes`` or ``other``.
        start: Its first line (the header; for Sphinx the first field).
        end: One past its last non-blank line.
        entries: Named entries (raises, attributes; returns: one unnamed entry whose
            ``type`` is the documented type, if any).
        lines: For Sphinx, the ``(start, end)`` of each field (fields of a kind need not
            be adjacent).
    """

    kind: str
    start: int
    end: int
    entries: list[ParamEntry] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)


def sections(lines: list[str], style: str) -> list[Section]:
    """The sections of a docstring's cleaned ``lines`` in ``style`` (``pep257``: none)."""
    if style == "google":
        return _google(lines)
    if style == "numpy":
        return _numpy(lines)
    if style == "sphinx":
        return _sphinx(lines)
    return []


def by_kind(found: list[Section], kind: str) -> Section | None:
    """The first section of ``kind``, or None."""
    return next((s for s in found if s.kind == kind), None)


def bare_exception(name: str) -> str:
    """``~pkg.errors.BadInput`` -> ``BadInput`` (a documented exception's class name)."""
    return name.strip().lstrip("~").strip("`").rsplit(".", 1)[-1]


def _google(lines: list[str]) -> list[Section]:
    out = []
    i = 0
    while i < len(lines):
        match = _GOOGLE_HEADER.match(lines[i])
        nxt = i + 1
        if not match or nxt >= len(lines) or _indent(lines[nxt]) <= _indent(lines[i]):
            i += 1
            continue
        base = _indent(lines[i])
        end = nxt
        while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > base):
            end += 1
        end = _trim_blank(lines, i, end)
        kind = _GOOGLE_KINDS.get(" ".join(match.group(1).lower().split()), "other")
        out.append(Section(kind, i, end, _entries(lines, nxt, end, kind, "google")))
        i = end
    return out


def _numpy(lines: list[str]) -> list[Section]:
    heads = [
        i
        for i in range(len(lines) - 1)
        if lines[i].strip() and _NUMPY_UNDERLINE.match(lines[i + 1])
    ]
    out = []
    for n, start in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        end = _trim_blank(lines, start, end)
        kind = _NUMPY_KINDS.get(" ".join(lines[start].lower().split()), "other")
        out.append(Section(kind, start, end, _entries(lines, start + 2, end, kind, "numpy")))
    return out


def _entries(lines: list[str], start: int, end: int, kind: str, style: str) -> list[ParamEntry]:
    body = [i for i in range(start, end) if lines[i].strip()]
    if not body or kind not in ("returns", "yields", "raises", "attributes"):
        return []
    if kind in ("returns", "yields"):
        return [_value_entry(lines, body[0], end, style)]
    base = min(_indent(lines[i]) for i in body)
    out = []
    for i in body:
        if _indent(lines[i]) != base:
            continue
        stop = i + 1
        while stop < end and (not lines[stop].strip() or _indent(lines[stop]) > base):
            stop += 1
        stop = _trim_blank(lines, i, stop)
        if kind == "raises":
            match = _NAMES.match(lines[i])
            if not match:
                continue
            if style == "google" and ":" not in lines[i] and stop == i + 1:
                continue  # a prose line, not "Name: description"
            desc = _join([match.group(2), *lines[i + 1 : stop]])
            for name in re.split(r"\s*(?:,|\bor\b|\|)\s*", match.group(1)):
                out.append(ParamEntry(name.strip(), None, desc, i, stop))
        else:
            match = (_GOOGLE_ATTR if style == "google" else _NUMPY_ATTR).match(lines[i])
            if match:
                first = match.group(3) if style == "google" else ""
                desc = _join([first or "", *lines[i + 1 : stop]])
                out.append(ParamEntry(match.group(1), match.group(2), desc, i, stop))
    return out


def _value_entry(lines: list[str], first: int, end: int, style: str) -> ParamEntry:
    """The documented value: its type (NumPy's ``name : type`` or ``type`` line; Google's
    ``type: description``) and description."""
    text = lines[first].strip()
    if style == "numpy":
        kind = text.split(" : ", 1)[1] if " : " in text else text
        return ParamEntry("", kind.strip() or None, _join(lines[first + 1 : end]), first, end)
    match = _GOOGLE_VALUE.match(text)
    if match and not match.group(1).strip().count(" "):
        return ParamEntry(
            "", match.group(1).strip(), _join([match.group(2), *lines[first + 1 : end]]), first, end
        )
    return ParamEntry("", None, _join(lines[first:end]), first, end)


def _sphinx(lines: list[str]) -> list[Section]:
    grouped: dict[str, Section] = {}
    types: dict[tuple[str, str], str] = {}
    for i, line in enumerate(lines):
        match = _SPHINX_FIELD.match(line)
        if not match:
            continue
        key = match.group(1)
        kind = _SPHINX_KINDS.get(key, "other")
        stop = i + 1
        while stop < len(lines) and lines[stop].strip() and _indent(lines[stop]) > _indent(line):
            stop += 1
        section = grouped.setdefault(kind, Section(kind, i, stop))
        section.end = max(section.end, stop)
        section.lines.append((i, stop))
        words = match.group(2).split()
        text = _join([match.group(3), *lines[i + 1 : stop]])
        if key in ("rtype", "ytype"):
            types[(kind, "")] = text
        elif key == "vartype" and words:
            types[(kind, words[-1])] = text
        elif kind in ("returns", "yields"):
            section.entries.append(ParamEntry("", None, text, i, stop))
        elif kind == "raises":
            names = " ".join(words) or (text.split() or [""])[0].rstrip(":,.")
            for name in re.split(r"\s*(?:,|\bor\b|\|)\s*", names):
                if name:
                    section.entries.append(ParamEntry(name, None, text, i, stop))
        elif kind == "attributes" and words:
            section.entries.append(
                ParamEntry(words[-1], " ".join(words[:-1]) or None, text, i, stop)
            )
    for section in grouped.values():
        for entry in section.entries:
            entry.type = entry.type or types.get((section.kind, entry.name))
        if section.kind in ("returns", "yields") and not section.entries:
            start, stop = section.lines[0]
            section.entries.append(ParamEntry("", types.get((section.kind, "")), "", start, stop))
    return sorted(grouped.values(), key=lambda s: s.start)
