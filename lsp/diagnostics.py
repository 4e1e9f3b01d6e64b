"""Diagnostics: missing docstrings on public symbols, stale docstrings.

Published on open and save (and after edits settle), with severities from the options
(``off`` disables a kind). Each diagnostic carries ``data`` naming its symbol, so the
code actions offered for it need no recomputation. No model is involved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from indexer.symbols import ParsedFile, Symbol
from lsp.common import buffer_for, client_range
from lsp.documents import DocumentError

if TYPE_CHECKING:
    from lsp.live_index import Buffer
    from lsp.server import DocgenServer

logger = logging.getLogger(__name__)

SOURCE = "docgen"
MISSING = "missing-docstring"
STALE = "stale-docstring"
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


@dataclass(frozen=True)
class Finding:
    """One problem with a symbol's documentation."""

    code: str
    symbol: Symbol
    message: str


def needs_docstring(symbol: Symbol, parsed: ParsedFile, include_private: bool) -> bool:
    """Whether ``symbol`` is a definition that should have a docstring and has none.

    Public classes, functions and methods count; magic methods, functions nested in
    functions, and (unless ``include_private``) private names or members of private
    classes do not.
    """
    if symbol.docstring or symbol.kind == "module" or symbol.is_magic:
        return False
    by_qualname = {s.qualname: s for s in parsed.symbols}
    parent = by_qualname.get(symbol.parent) if symbol.parent else None
    if parent is not None and parent.kind in ("function", "method"):
        return False
    if include_private:
        return True
    chain = [symbol]
    while parent is not None:
        chain.append(parent)
        parent = by_qualname.get(parent.parent) if parent.parent else None
    return not any(item.is_private for item in chain)


def find_problems(ls: DocgenServer, buffer: Buffer) -> list[Finding]:
    """Return the missing and stale docstrings of a parsed buffer."""
    parsed = buffer.parsed
    if parsed is None:
        return []
    options = ls.options
    out: list[Finding] = []
    if options.diagnostic_severity != "off":
        for symbol in parsed.symbols:
            if needs_docstring(symbol, parsed, options.include_private):
                out.append(
                    Finding(MISSING, symbol, f"{symbol.kind} {symbol.name} has no docstring")
                )
    if options.stale_severity != "off":
        by_qualname = {s.qualname: s for s in parsed.symbols}
        try:
            stale = ls.drafter.find_stale(parsed)
        except Exception as exc:  # noqa: BLE001 - a checker bug must not stop diagnostics
            logger.warning("stale check of %s failed: %s", buffer.path, exc)
            stale = []
        for finding in stale:
            symbol = _finding_symbol(finding, by_qualname)
            if symbol is not None:
                out.append(Finding(STALE, symbol, _stale_message(symbol, finding)))
    return out


def to_diagnostics(
    ls: DocgenServer, document: Any, problems: list[Finding]
) -> list[types.Diagnostic]:
    """Convert findings to LSP diagnostics on the symbols' names."""
    out = []
    for problem in problems:
        option = (
            ls.options.diagnostic_severity if problem.code == MISSING else ls.options.stale_severity
        )
        span = problem.symbol.name_span or problem.symbol.span
        out.append(
            types.Diagnostic(
                range=client_range(document, span),
                message=problem.message,
                severity=_SEVERITY.get(option, types.DiagnosticSeverity.Information),
                code=problem.code,
                source=SOURCE,
                data={"qualname": problem.symbol.qualname, "code": problem.code},
            )
        )
    return out


def publish(ls: DocgenServer, uri: str) -> None:
    """Compute and publish the diagnostics of document ``uri``."""
    try:
        document, buffer = buffer_for(ls, uri)
    except DocumentError as exc:
        logger.info("no diagnostics for %s: %s", uri, exc)
        return
    with ls.stats.timed("diagnostics"):
        diagnostics = to_diagnostics(ls, document, find_problems(ls, buffer))
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version)
    )


def clear(ls: DocgenServer, uri: str) -> None:
    """Remove the diagnostics of a closed document."""
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _finding_symbol(finding: Any, by_qualname: dict[str, Symbol]) -> Symbol | None:
    symbol = getattr(finding, "symbol", None)
    if isinstance(symbol, Symbol):
        return by_qualname.get(symbol.qualname, symbol)
    qualname = getattr(finding, "qualname", None)
    return by_qualname.get(qualname) if isinstance(qualname, str) else None


def _stale_message(symbol: Symbol, finding: Any) -> str:
    message = getattr(finding, "message", None)
    if isinstance(message, str) and message:
        return f"{symbol.name}: {message}"
    reasons = getattr(finding, "reasons", None)
    if isinstance(reasons, list | tuple) and reasons:
        detail = "; ".join(str(r) for r in reasons)
    else:
        detail = str(getattr(finding, "reason", None) or getattr(finding, "message", "") or "")
    text = f"docstring of {symbol.name} is stale"
    return f"{text}: {detail}" if detail else text
