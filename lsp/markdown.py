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


LOW_CONFIDENCE = "Low confidence"
"""The label of a draft below the confidence floor (shown, never hidden)."""


def provenance_line(source: str, detail: str) -> str:
    """Say where a draft's summary came from, so the reader knows what to check."""
    where = f"`{detail}`" if detail else ""
    if source == "repo-neighbour":
        return (
            f"Summary adapted from {where or 'a similar symbol'} of this repository: "
            "check it fits this code."
        )
    if source == "corpus":
        package = f" of {where}" if where else ""
        return (
            f"Summary adapted from a documented function{package} in docgen's shipped "
            "corpus: check it fits this code."
        )
    if source == "name":
        return "Summary made from the name alone: it only restates it."
    if source == "model":
        return "Summary written by docgen's drafting model."
    return f"Summary source: {escape(source)}{f' ({where})' if where else ''}."


def draft_markdown(
    summary: str,
    confidence: float,
    cached: bool,
    provenance: tuple[str, str] = ("model", ""),
    low_confidence: str = "",
) -> str:
    """Render a drafted summary, clearly marked as generated, with its confidence, a
    footer naming where the summary came from and, below the confidence floor, a
    ``Low confidence`` label (``low_confidence``: why, e.g. the floor it is below)."""
    origin = ", cached" if cached else ""
    label = f"**{LOW_CONFIDENCE}**: {low_confidence}\n\n" if low_confidence else ""
    return (
        f"**{GENERATED_MARK}, confidence {confidence:.2f}{origin})**\n\n"
        f"{label}{escape(summary)}\n\n"
        f"_{provenance_line(*provenance)}_\n\n"
        "_Not in the source: use the code action “Generate docstring” to insert it._"
    )
