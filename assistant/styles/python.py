"""Python docstring conventions: Google, NumPy, Sphinx (reST fields) and plain PEP 257.

Each style renders a :class:`~assistant.styles.docmodel.DocModel` to docstring text (no quotes,
no indentation) and finds the line ranges of its parameter entries in an existing docstring,
so that a stale docstring can be updated by replacing only those lines: every other line
(hand-written prose, examples, notes) stays byte for byte.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from assistant.styles.docmodel import DocModel, ParamDoc, RaiseDoc, ValueDoc


@dataclass(slots=True)
class ParamEntry:
    """A parameter documented in an existing docstring.

    Attributes:
        name: Name as written (stars kept).
        type: Documented type, if any.
        description: Description text, continuation lines joined with spaces.
        start: Index of its first line in the docstring's lines.
        end: Index one past its last line.
    """

    name: str
    type: str | None
    description: str
    start: int
    end: int

    @property
    def bare_name(self) -> str:
        """Name without leading stars or a trailing backslash escape."""
        return self.name.replace("\\", "").lstrip("*")


@dataclass(slots=True)
class ParamBlock:
    """Where the parameter documentation of a docstring sits (line indices, end exclusive).

    ``start``/``end`` include the section header for sectioned styles; ``entries`` are the
    parameters in documented order.
    """

    start: int
    end: int
    entries: list[ParamEntry]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _columns(text: str) -> int:
    """Width of ``text`` on screen, a tab counting as four columns (ruff's default)."""
    return len(text.expandtabs(4))


def _join(lines: list[str]) -> str:
    return " ".join(line.strip() for line in lines if line.strip())


def _trim_blank(lines: list[str], start: int, end: int) -> int:
    """Return ``end`` moved back over trailing blank lines (never before ``start + 1``)."""
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _first_match(lines: list[str], pattern: re.Pattern[str]) -> int | None:
    return next((i for i, line in enumerate(lines) if pattern.match(line)), None)


def _value_text(value: ValueDoc, fallback: str) -> str:
    return value.description or fallback


class PythonStyle:
    """Base class: shared rendering of the summary and description."""

    name = "base"

    def render(self, doc: DocModel) -> str:
        """Return the docstring text for ``doc`` (no quotes, no indentation)."""
        parts = [doc.summary.strip()]
        if doc.description.strip():
            parts.append(doc.description.strip("\n"))
        parts.extend(block for block in self.sections(doc) if block)
        return "\n\n".join(parts)

    def sections(self, doc: DocModel) -> list[str]:
        """Return the rendered sections (parameters, returns, yields, raises)."""
        return [
            self.render_attributes(doc.attributes),
            self.render_params(doc.params),
            self.render_value("Returns", doc.returns) if doc.returns else "",
            self.render_value("Yields", doc.yields) if doc.yields else "",
            self.render_raises(doc.raises),
        ]

    def render_params(self, params: list[ParamDoc]) -> str:
        """Return the parameter block (header included), or '' without parameters."""
        raise NotImplementedError

    def render_value(self, header: str, value: ValueDoc) -> str:
        """Return a Returns/Yields block."""
        raise NotImplementedError

    def render_attributes(self, attributes: list[ParamDoc]) -> str:
        """Return the Attributes block (header included), or '' without attributes."""
        if not attributes:
            return ""
        return self.render_params(attributes).replace(self._params_header, "Attributes", 1)

    _params_header = "Args"

    def render_raises(self, raises: list[RaiseDoc]) -> str:
        """Return the Raises block, or '' when nothing is raised."""
        raise NotImplementedError

    def find_params(self, lines: list[str]) -> ParamBlock | None:
        """Return the parameter block of an existing docstring, or None."""
        raise NotImplementedError

    def score(self, text: str) -> int:
        """Return how many markers of this style ``text`` carries (0: none)."""
        raise NotImplementedError

    header_lines = 1
    """Lines of the section header :meth:`render_params` starts with."""

    _entry_prefix: re.Pattern[str] | None = None
    """The start of an entry's first line that is never broken (name, type, marker)."""

    def render_entry(self, param: ParamDoc) -> list[str]:
        """Return the lines of one parameter entry, without the section header."""
        return self.render_params([param]).split("\n")[self.header_lines :]

    def rename_entry_line(self, line: str, old: str, new: str) -> str:
        """Return an entry's first line with its parameter name ``old`` changed to ``new``."""
        start = 0
        if self.name == "sphinx":
            match = _SPHINX_FIELD.match(line)
            start = match.start(2) if match else 0
        pattern = re.compile(rf"(?<![\w]){re.escape(old)}(?!\w)")
        return line[:start] + pattern.sub(new, line[start:], count=1)

    def wrap_entry(self, lines: list[str], width: int, unit: str = "    ") -> list[str]:
        """Wrap rendered entry lines to ``width`` columns (tabs count as four).

        The name/type/marker start of an entry line is never broken; continuation lines
        are indented the way :meth:`find_params` reads them back (one ``unit`` deeper than
        the entry, or at the description's own indentation for NumPy).
        """
        out = []
        for line in lines:
            if _columns(line) <= width or not line.strip():
                out.append(line)
                continue
            indent = line[: _indent(line)]
            match = self._entry_prefix.match(line) if self._entry_prefix else None
            if match:
                first, rest, later = match.group(0), line[match.end() :], indent + unit
            elif self.name == "numpy" and indent:
                first, rest, later = indent, line[len(indent) :], indent
            else:
                out.append(line)  # e.g. a NumPy ``name : type`` line: nothing to break
                continue
            out += textwrap.wrap(
                rest,
                width=width - (_columns(later) - len(later)),
                initial_indent=first,
                subsequent_indent=later,
                break_long_words=False,
                break_on_hyphens=False,
                expand_tabs=False,
            ) or [line]
        return out


_GOOGLE_HEADER = re.compile(
    r"^\s*(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Other Parameters|"
    r"Returns?|Yields?|Raises|Exceptions?|Attributes|Examples?|Notes?|Todo|Warnings?|"
    r"See Also|References|Methods|Warns)\s*:\s*$"
)
_GOOGLE_PARAM_HEADER = re.compile(r"^\s*(Args|Arguments|Parameters|Params)\s*:\s*$")
_GOOGLE_ENTRY = re.compile(r"^\s*(\\?\*{0,2}\w+)\s*(?:\(([^)]*)\))?\s*:(?:\s+(.*)|\s*)$")


class GoogleStyle(PythonStyle):
    """Google style: ``Args:``/``Returns:``/``Raises:`` sections with indented entries."""

    name = "google"
    _entry_prefix = re.compile(r"^\s*\\?\*{0,2}\w+(?:\s*\([^)]*\))?\s*:\s")

    def render_params(self, params: list[ParamDoc]) -> str:
        if not params:
            return ""
        lines = ["Args:"]
        for param in params:
            typed = f" ({param.type})" if param.type else ""
            lines.append(f"    {param.name}{typed}: {param.description}".rstrip())
        return "\n".join(lines)

    def render_value(self, header: str, value: ValueDoc) -> str:
        return f"{header}:\n    {_value_text(value, 'The result.')}"

    def render_raises(self, raises: list[RaiseDoc]) -> str:
        if not raises:
            return ""
        lines = ["Raises:"]
        lines += [f"    {item.name}: {item.description}".rstrip() for item in raises]
        return "\n".join(lines)

    def find_params(self, lines: list[str]) -> ParamBlock | None:
        start = _first_match(lines, _GOOGLE_PARAM_HEADER)
        if start is None:
            return None
        base = _indent(lines[start])
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > base):
            end += 1
        end = _trim_blank(lines, start, end)
        return ParamBlock(start, end, _indented_entries(lines, start + 1, end, _GOOGLE_ENTRY))

    def score(self, text: str) -> int:
        lines = text.splitlines()
        hits = 0
        for i, line in enumerate(lines[:-1]):
            if _GOOGLE_HEADER.match(line) and _indent(lines[i + 1]) > _indent(line):
                hits += 1
        return hits


def _indented_entries(
    lines: list[str], start: int, end: int, pattern: re.Pattern[str]
) -> list[ParamEntry]:
    """Parse entries whose first line sits at the block's smallest indentation."""
    body = [i for i in range(start, end) if lines[i].strip()]
    if not body:
        return []
    base = min(_indent(lines[i]) for i in body)
    entries: list[ParamEntry] = []
    for i in body:
        if _indent(lines[i]) != base:
            continue
        match = pattern.match(lines[i])
        if not match:
            continue
        stop = i + 1
        while stop < end and (not lines[stop].strip() or _indent(lines[stop]) > base):
            stop += 1
        stop = _trim_blank(lines, i, stop)
        first = match.group(3) or ""
        desc = _join([first, *lines[i + 1 : stop]])
        entries.append(ParamEntry(match.group(1), match.group(2), desc, i, stop))
    return entries


_NUMPY_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_NUMPY_ENTRY = re.compile(r"^\s*(\\?\*{0,2}\w+(?:\s*,\s*\\?\*{0,2}\w+)*)\s*(?::\s*(.*))?()$")


class NumpyStyle(PythonStyle):
    """NumPy style: underlined section headers, ``name : type`` entries."""

    name = "numpy"
    header_lines = 2

    def render_attributes(self, attributes: list[ParamDoc]) -> str:
        if not attributes:
            return ""
        body = self.render_params(attributes).split("\n")[2:]
        return self._section("Attributes", body)

    def _section(self, header: str, body: list[str]) -> str:
        return "\n".join([header, "-" * len(header), *body])

    def render_params(self, params: list[ParamDoc]) -> str:
        if not params:
            return ""
        body = []
        for param in params:
            body.append(f"{param.name} : {param.type}" if param.type else param.name)
            if param.description:
                body.append(f"    {param.description}")
        return self._section("Parameters", body)

    def render_value(self, header: str, value: ValueDoc) -> str:
        body = [value.type or _value_text(value, "The result.")]
        if value.type:
            body.append(f"    {_value_text(value, 'The result.')}")
        return self._section(header, body)

    def render_raises(self, raises: list[RaiseDoc]) -> str:
        if not raises:
            return ""
        body = []
        for item in raises:
            body.append(item.name)
            if item.description:
                body.append(f"    {item.description}")
        return self._section("Raises", body)

    def _headers(self, lines: list[str]) -> list[int]:
        return [
            i
            for i in range(len(lines) - 1)
            if lines[i].strip() and _NUMPY_UNDERLINE.match(lines[i + 1])
        ]

    def find_params(self, lines: list[str]) -> ParamBlock | None:
        headers = self._headers(lines)
        for n, start in enumerate(headers):
            if lines[start].strip() != "Parameters":
                continue
            end = headers[n + 1] if n + 1 < len(headers) else len(lines)
            end = _trim_blank(lines, start, end)
            entries = []
            for entry in _indented_entries(lines, start + 2, end, _NUMPY_ENTRY):
                # "x, y : int" documents two parameters with one description
                for name in entry.name.split(","):
                    entries.append(
                        ParamEntry(
                            name.strip(), entry.type, entry.description, entry.start, entry.end
                        )
                    )
            return ParamBlock(start, end, entries)
        return None

    def score(self, text: str) -> int:
        return len(self._headers(text.splitlines()))


_SPHINX_FIELD = re.compile(
    r"^\s*:(param|parameter|arg|argument|key|keyword|type|returns?|rtype|raises?|except|"
    r"exception|yields?|ytype|var|ivar|cvar|vartype|meta)\b([^:]*):(.*)$"
)
_SPHINX_PARAM_KINDS = {"param", "parameter", "arg", "argument", "type"}


class SphinxStyle(PythonStyle):
    """Sphinx/reST field lists: ``:param x:``, ``:type x:``, ``:returns:``, ``:raises E:``."""

    name = "sphinx"
    header_lines = 0
    _entry_prefix = re.compile(r"^\s*:[^:]+:\s")

    def render(self, doc: DocModel) -> str:
        head = [doc.summary.strip()]
        if doc.description.strip():
            head.append(doc.description.strip("\n"))
        fields = [block for block in self.sections(doc) if block]
        if fields:
            head.append("\n".join(fields))
        return "\n\n".join(head)

    def render_params(self, params: list[ParamDoc]) -> str:
        lines = []
        for param in params:
            name = param.bare_name
            lines.append(f":param {name}: {param.description}".rstrip())
            if param.type:
                lines.append(f":type {name}: {param.type}")
        return "\n".join(lines)

    def render_attributes(self, attributes: list[ParamDoc]) -> str:
        lines = []
        for item in attributes:
            lines.append(f":ivar {item.bare_name}: {item.description}".rstrip())
            if item.type:
                lines.append(f":vartype {item.bare_name}: {item.type}")
        return "\n".join(lines)

    def render_value(self, header: str, value: ValueDoc) -> str:
        key, type_key = ("returns", "rtype") if header == "Returns" else ("yields", "ytype")
        lines = [f":{key}: {_value_text(value, 'The result.')}"]
        if value.type:
            lines.append(f":{type_key}: {value.type}")
        return "\n".join(lines)

    def render_raises(self, raises: list[RaiseDoc]) -> str:
        return "\n".join(f":raises {item.name}: {item.description}".rstrip() for item in raises)

    def find_params(self, lines: list[str]) -> ParamBlock | None:
        entries: list[ParamEntry] = []
        types: dict[str, str] = {}
        ranges: list[tuple[int, int]] = []
        for i, line in enumerate(lines):
            match = _SPHINX_FIELD.match(line)
            if not match or match.group(1) not in _SPHINX_PARAM_KINDS:
                continue
            stop = i + 1
            while (
                stop < len(lines) and lines[stop].strip() and _indent(lines[stop]) > _indent(line)
            ):
                stop += 1
            ranges.append((i, stop))
            words = match.group(2).split()
            if not words:
                continue
            name = words[-1]
            text = _join([match.group(3), *lines[i + 1 : stop]])
            if match.group(1) == "type":
                types[name] = text
            else:
                inline_type = " ".join(words[:-1]) or None
                entries.append(ParamEntry(name, inline_type, text, i, stop))
        if not ranges:
            return None
        for entry in entries:
            entry.type = entry.type or types.get(entry.name)
        return ParamBlock(ranges[0][0], ranges[-1][1], entries)

    def type_ranges(self, lines: list[str], block: ParamBlock) -> dict[str, tuple[int, int]]:
        """Return the line range of each ``:type name:`` field inside ``block``, by name."""
        found: dict[str, tuple[int, int]] = {}
        for i in range(block.start, block.end):
            match = _SPHINX_FIELD.match(lines[i])
            if not match or match.group(1) != "type" or not match.group(2).split():
                continue
            stop = i + 1
            while (
                stop < block.end
                and lines[stop].strip()
                and _indent(lines[stop]) > _indent(lines[i])
            ):
                stop += 1
            found.setdefault(match.group(2).split()[-1], (i, stop))
        return found

    def score(self, text: str) -> int:
        return sum(1 for line in text.splitlines() if _SPHINX_FIELD.match(line))


_PEP257_ENTRY = re.compile(r"^\s*(\*{0,2}\w+)\s+--(?:\s+(.*))?$")
_PEP257_HEADER = re.compile(r"^\s*(Keyword arguments|Arguments|Args)\s*:\s*$", re.IGNORECASE)


class Pep257Style(PythonStyle):
    """Plain PEP 257: the PEP's own ``Arguments:`` list of ``name -- description`` lines."""

    name = "pep257"
    _params_header = "Arguments"
    _entry_prefix = re.compile(r"^\s*\*{0,2}\w+\s+--\s")

    def render_params(self, params: list[ParamDoc]) -> str:
        if not params:
            return ""
        lines = ["Arguments:"]
        for param in params:
            default = f" (default {param.default})" if param.default else ""
            lines.append(f"{param.name} -- {param.description}{default}".rstrip())
        return "\n".join(lines)

    def render_value(self, header: str, value: ValueDoc) -> str:
        return f"{header}:\n{_value_text(value, 'The result.')}"

    def render_raises(self, raises: list[RaiseDoc]) -> str:
        if not raises:
            return ""
        lines = ["Raises:"] + [f"{item.name} -- {item.description}".rstrip() for item in raises]
        return "\n".join(lines)

    def find_params(self, lines: list[str]) -> ParamBlock | None:
        start = _first_match(lines, _PEP257_HEADER)
        if start is None:
            return None
        entries = []
        end = start + 1
        while end < len(lines) and lines[end].strip():
            match = _PEP257_ENTRY.match(lines[end])
            if match:
                text = re.sub(r"\s*\(default [^)]*\)\s*$", "", match.group(2) or "")
                entries.append(ParamEntry(match.group(1), None, text, end, end + 1))
            elif entries:
                entries[-1].end = end + 1
                entries[-1].description += " " + lines[end].strip()
            end += 1
        return ParamBlock(start, end, entries)

    def score(self, text: str) -> int:
        return sum(1 for line in text.splitlines() if _PEP257_ENTRY.match(line))


PYTHON_STYLES: dict[str, PythonStyle] = {
    style.name: style for style in (GoogleStyle(), NumpyStyle(), SphinxStyle(), Pep257Style())
}
"""The Python styles by name; detection breaks ties in this order."""
