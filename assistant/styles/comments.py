"""Doc comments of the other languages: JSDoc, Javadoc, GoDoc and rustdoc.

Each style renders the comment's text (no comment markers) and wraps it in the markers of
its language; :func:`find_params` reads the parameter tags of an existing comment.
"""

from __future__ import annotations

import re

from assistant.styles.docmodel import DocModel
from assistant.styles.python import ParamBlock, ParamEntry

COMMENT_STYLES = ("jsdoc", "javadoc", "godoc", "rustdoc")


def _third_person(summary: str, name: str) -> str:
    """Turn ``Return the x.`` into ``Name returns the x.`` (Go's doc convention)."""
    words = summary.strip().split(" ", 1)
    if not words[0]:
        return f"{name}."
    if words[0] == name:
        return summary.strip()
    verb = words[0][:1].lower() + words[0][1:]
    if verb.isalpha() and verb.islower() and not verb.endswith("s"):
        if verb.endswith(("sh", "ch", "x", "z", "o")):
            verb += "es"
        elif verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou":
            verb = verb[:-1] + "ies"
        else:
            verb += "s"
    rest = f" {words[1]}" if len(words) > 1 else ""
    return f"{name} {verb}{rest}"


def render_comment_text(doc: DocModel, style: str, language: str = "") -> str:
    """Return the text of a doc comment for ``doc`` in ``style`` (no markers)."""
    if style == "godoc":
        parts = [_third_person(doc.summary, doc.symbol_name or "It")]
        if doc.description.strip():
            parts.append(doc.description.strip("\n"))
        return "\n\n".join(parts)
    parts = [doc.summary.strip()]
    if doc.description.strip():
        parts.append(doc.description.strip("\n"))
    tags = _tags(doc, style, language)
    if tags:
        parts.append("\n".join(tags))
    return "\n\n".join(parts)


def _tags(doc: DocModel, style: str, language: str) -> list[str]:
    lines: list[str] = []
    if style == "rustdoc":
        if doc.params:
            lines += ["# Arguments", ""]
            lines += [f"* `{p.bare_name}` - {p.description}".rstrip() for p in doc.params]
        return lines
    typed = style == "jsdoc" and language != "typescript"
    for param in doc.params:
        type_text = f"{{{param.type}}} " if typed and param.type else ""
        sep = " - " if style == "jsdoc" else " "
        desc = f"{sep}{param.description}" if param.description else ""
        lines.append(f"@param {type_text}{param.bare_name}{desc}")
    value = doc.returns or doc.yields
    if value is not None:
        tag = "@returns" if style == "jsdoc" else "@return"
        if doc.yields is not None and style == "jsdoc":
            tag = "@yields"
        type_text = f"{{{value.type}}} " if typed and value.type else ""
        lines.append(f"{tag} {type_text}{value.description or 'The result.'}")
    for item in doc.raises:
        tag = "@throws"
        name = f"{{{item.name}}}" if style == "jsdoc" else item.name
        lines.append(f"{tag} {name} {item.description}".rstrip())
    return lines


def wrap_comment(text: str, style: str, indent: str, newline: str = "\n") -> str:
    """Wrap comment text in its language's markers, each line indented by ``indent``.

    The result ends with ``newline`` so it can be inserted before a definition's line.
    """
    lines = text.splitlines() or [""]
    if style in ("godoc", "rustdoc"):
        marker = "//" if style == "godoc" else "///"
        out = [
            f"{indent}{marker} {line}".rstrip() if line else f"{indent}{marker}" for line in lines
        ]
    elif len(lines) == 1:
        out = [f"{indent}/** {lines[0].replace('*/', '* /')} */"]
    else:
        out = [f"{indent}/**"]
        for line in lines:
            line = line.replace("*/", "* /")
            out.append(f"{indent} * {line}".rstrip() if line else f"{indent} *")
        out.append(f"{indent} */")
    return newline.join(out) + newline


_TAG_PARAM = re.compile(r"^\s*@param\s+(?:\{([^}]*)\}\s+)?\[?([\w$.]+)[^\s\]]*\]?\s*(?:-\s*)?(.*)$")
_RUST_ARG = re.compile(r"^\s*[*-]\s+`([\w]+)`\s*[-:]?\s*(.*)$")


def find_params(text: str, style: str) -> ParamBlock | None:
    """Return the parameter tags of an existing doc comment's text, or None."""
    lines = text.splitlines()
    entries: list[ParamEntry] = []
    pattern = _RUST_ARG if style == "rustdoc" else _TAG_PARAM
    for i, line in enumerate(lines):
        match = pattern.match(line)
        if not match:
            continue
        if style == "rustdoc":
            entries.append(ParamEntry(match.group(1), None, match.group(2), i, i + 1))
        else:
            entries.append(ParamEntry(match.group(2), match.group(1), match.group(3), i, i + 1))
    if not entries:
        return None
    return ParamBlock(entries[0].start, entries[-1].end, entries)
