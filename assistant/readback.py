"""Reading a rendered docstring back into a :class:`~assistant.styles.docmodel.DocModel`.

The faithfulness check (:mod:`assistant.faithfulness`) checks the doc model a style
renders and then, as a safety net, the rendered text itself: :func:`read_back` recovers
what the text states (summary, parameters with their raw descriptions and types, returns,
yields, raises) in every style, so the same rules apply to both.
"""

from __future__ import annotations

import re

from assistant.styles import find_params
from assistant.styles.docmodel import DocModel, ParamDoc, RaiseDoc, ValueDoc

_GOOGLE_SECTION = re.compile(r"^(Args|Returns|Yields|Raises)\s*:\s*$")
_PEP257_SECTION = re.compile(r"^(Arguments|Returns|Yields|Raises)\s*:\s*$")
_NUMPY_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_SPHINX = re.compile(r"^:(returns?|rtype|yields?|ytype|raises?)\b([^:]*):\s*(.*)$")
_TAG = re.compile(r"^@(returns?|yields|throws)\b\s*(?:\{([^}]*)\}\s*)?(.*)$")


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _join(lines: list[str]) -> str:
    return " ".join(line.strip() for line in lines if line.strip())


def _sections(lines: list[str], header: re.Pattern[str]) -> dict[str, list[str]]:
    """Bodies of ``Header:`` sections (until the next header or a blank line + dedent)."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        match = header.match(line)
        if match:
            current = match.group(1)
            out[current] = []
        elif current is not None:
            if line.strip() and not line.startswith(" ") and header is _GOOGLE_SECTION:
                current = None
            elif not line.strip() and header is _PEP257_SECTION:
                current = None
            else:
                out[current].append(line)
    return out


def _numpy_sections(lines: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    heads = [
        i
        for i in range(len(lines) - 1)
        if lines[i].strip() and _NUMPY_UNDERLINE.match(lines[i + 1])
    ]
    for n, i in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        out[lines[i].strip()] = lines[i + 2 : end]
    return out


def _numpy_value(body: list[str]) -> ValueDoc:
    body = [line for line in body if line.strip()]
    if len(body) > 1 and body[1].startswith(" ") and not body[0].startswith(" "):
        return ValueDoc(body[0].strip(), _join(body[1:]))
    return ValueDoc(None, _join(body))


def _entries(body: list[str], sep: str) -> list[RaiseDoc]:
    out = []
    for line in body:
        if not line.strip():
            continue
        if line.startswith("    ") and out and sep == "":
            out[-1].description = (out[-1].description + " " + line.strip()).strip()
            continue
        name, _, desc = line.strip().partition(sep) if sep else (line.strip(), "", "")
        out.append(RaiseDoc(name.strip(), desc.strip()))
    return out


def _params(text: str, style: str) -> list[ParamDoc]:
    block = find_params(text, style)
    if block is None:
        return []
    lines = text.splitlines()
    out = []
    for entry in block.entries:
        description = entry.description
        if style == "pep257":  # its reader drops "(default X)"; the check needs it
            raw = _join(lines[entry.start : entry.end])
            description = raw.partition("--")[2].strip()
        out.append(ParamDoc(entry.name.replace("\\", ""), entry.type, description))
    return out


def read_back(text: str, style: str) -> DocModel:
    """What a rendered docstring states, as a doc model (descriptions as written)."""
    paragraphs = _paragraphs(text)
    doc = DocModel(summary=paragraphs[0].replace("\n", " ") if paragraphs else "")
    lines = text.splitlines()
    doc.params = _params(text, style)
    if style == "google":
        sections = _sections(lines, _GOOGLE_SECTION)
        for key, attr in (("Returns", "returns"), ("Yields", "yields")):
            if key in sections:
                setattr(doc, attr, ValueDoc(None, _join(sections[key])))
        doc.raises = _entries([ln.strip() for ln in sections.get("Raises", [])], ":")
    elif style == "pep257":
        sections = _sections(lines, _PEP257_SECTION)
        for key, attr in (("Returns", "returns"), ("Yields", "yields")):
            if key in sections:
                setattr(doc, attr, ValueDoc(None, _join(sections[key])))
        doc.raises = _entries(sections.get("Raises", []), "--")
    elif style == "numpy":
        sections = _numpy_sections(lines)
        for key, attr in (("Returns", "returns"), ("Yields", "yields")):
            if key in sections:
                setattr(doc, attr, _numpy_value(sections[key]))
        doc.raises = _entries(sections.get("Raises", []), "")
    elif style == "sphinx":
        _sphinx_fields(lines, doc)
    elif style in ("jsdoc", "javadoc"):
        _tags(lines, doc, style)
    return doc


def _sphinx_fields(lines: list[str], doc: DocModel) -> None:
    for line in lines:
        match = _SPHINX.match(line.strip())
        if not match:
            continue
        key, arg, rest = match.group(1), match.group(2).strip(), match.group(3).strip()
        if key.startswith("return"):
            doc.returns = ValueDoc(doc.returns.type if doc.returns else None, rest)
        elif key == "rtype":
            doc.returns = ValueDoc(rest, doc.returns.description if doc.returns else "")
        elif key.startswith("yield"):
            doc.yields = ValueDoc(doc.yields.type if doc.yields else None, rest)
        elif key == "ytype":
            doc.yields = ValueDoc(rest, doc.yields.description if doc.yields else "")
        elif key.startswith("raise") and arg:
            doc.raises.append(RaiseDoc(arg.split()[-1], rest))


def _tags(lines: list[str], doc: DocModel, style: str) -> None:
    for line in lines:
        match = _TAG.match(line.strip())
        if not match:
            continue
        tag, braced, rest = match.group(1), match.group(2), match.group(3).strip()
        if tag == "throws":
            if braced:
                doc.raises.append(RaiseDoc(braced.strip(), rest))
            elif rest:
                name, _, desc = rest.partition(" ")
                doc.raises.append(RaiseDoc(name, desc.strip()))
        elif tag == "yields":
            doc.yields = ValueDoc(braced, rest)
        else:
            doc.returns = ValueDoc(braced, rest)
