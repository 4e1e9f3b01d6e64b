"""Markdown for hovers: a signature block, a docstring, a generated draft.

Plain functions of symbol data; nothing here imports lsprotocol.
"""

from __future__ import annotations

import re

from indexer.symbols import Symbol

_FENCE_LANG = {
    "python": "python",
    "javascript": "javascript",
    "typescript": "typescript",
    "go": "go",
    "java": "java",
    "rust": "rust",
}
_CODE_SPAN = re.compile(r"``([^`]+)``|`([^`]+)`")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")
GENERATED_MARK = "docgen draft (generated"
"""Every drafted hover starts its marker line with this text."""


def signature(symbol: Symbol) -> str:
    """Return a one-line signature such as ``def f(a: int = 1) -> str``."""
    if symbol.kind == "module":
        return f"module {symbol.qualname}"
    params = []
    for param in symbol.parameters:
        prefix = {"var_positional": "*", "var_keyword": "**"}.get(param.kind, "")
        text = prefix + param.name
        if param.annotation:
            text += f": {param.annotation}"
        if param.default is not None:
            text += f" = {param.default}" if param.annotation else f"={param.default}"
        params.append(text)
    if symbol.kind == "class":
        head = f"class {symbol.qualname}"
        return head + (f"({', '.join(params)})" if params else "")
    keyword = "def" if symbol.language == "python" else "function"
    prefix = "async " if symbol.is_async else ""
    text = f"{prefix}{keyword} {symbol.qualname}({', '.join(params)})"
    if symbol.returns:
        text += f" -> {symbol.returns}"
    return text


def signature_block(symbol: Symbol) -> str:
    """Return the signature as a fenced code block."""
    lang = _FENCE_LANG.get(symbol.language, "")
    return f"```{lang}\n{signature(symbol)}\n```"


def escape(text: str) -> str:
    """Escape Markdown syntax characters in ``text``.

    Code spans in double (reST) or single backticks become Markdown code spans.
    """
    out, last = [], 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_MD_SPECIAL.sub(r"\\\1", text[last : match.start()]))
        out.append(f"`{match.group(1) or match.group(2)}`")
        last = match.end()
    out.append(_MD_SPECIAL.sub(r"\\\1", text[last:]))
    return "".join(out)


def docstring_markdown(docstring: str) -> str:
    """Render a docstring: its summary paragraph as text, the rest verbatim.

    Docstrings are reStructuredText-ish, not Markdown; the summary is escaped and the
    sections (Args, Returns...) are kept in a ``text`` block so their layout survives.
    """
    paragraphs = docstring.strip().split("\n\n", 1)
    summary = " ".join(line.strip() for line in paragraphs[0].splitlines())
    out = escape(summary)
    if len(paragraphs) > 1 and paragraphs[1].strip():
        body = paragraphs[1].strip("\n").replace("```", "'''")
        out += f"\n\n```text\n{body}\n```"
    return out


def draft_markdown(summary: str, confidence: float, cached: bool) -> str:
    """Render a drafted summary, clearly marked as generated, with its confidence."""
    origin = ", cached" if cached else ""
    return (
        f"**{GENERATED_MARK}, confidence {confidence:.2f}{origin})**\n\n"
        f"{escape(summary)}\n\n"
        "_Not in the source: use the code action “Generate docstring” to insert it._"
    )
