"""Diagnostics: missing docstrings (the rule of ``docgen check``), stale docstrings.

Each diagnostic's ``code`` is the finding code ``docgen check`` reports (``DG001`` a
missing docstring, ``DG1xx``/``DG2xx`` drift, see ``assistant.findings.CODES``), its
``source`` is ``docgen``; ``data`` also says whether ``--update-stale`` (and the "Update
stale docstring" action) can fix it. Drift codes off by default in ``docgen check``
(``DG120``) are not shown.

What needs a docstring is decided by :func:`indexer.coverage.missing_docstrings` with the
server's :meth:`~lsp.state.DocgenServer.counting_options` (the workspace's
``[tool.docgen]`` plus the ``includePrivate`` setting), so the editor flags exactly what
``docgen check`` reports for the file. Published on open and save (and after edits
settle), with severities from the options (``off`` disables a kind). Each diagnostic
carries ``data`` naming its symbol, so the code actions offered for it need no
recomputation. No model is involved.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from lsprotocol import types
from pygls.workspace import TextDocument

from assistant.pipeline import StaleFinding, find_stale
from indexer.coverage import missing_docstrings
from indexer.suppressions import suppressions_of
from indexer.symbols import Symbol
from lsp.documents import DocumentError
from lsp.live_index import Buffer
from lsp.positions import char_position, client_range, document_lines
from lsp.requests import buffer_for
from lsp.state import DocgenServer

logger = logging.getLogger(__name__)

SOURCE = "docgen"
MISSING = "DG001"
STALE = "stale"
"""The kind of a fixable drift finding (its code is one of ``DG1xx``/``DG2xx``)."""
DRIFT = "drift"
"""The kind of a drift finding no update can fix (the docstring needs a person)."""
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
    fixable: bool = False

    @property
    def kind(self) -> str:
        """``DG001`` (missing), :data:`STALE` (fixable drift) or :data:`DRIFT`."""
        if self.code == MISSING:
            return MISSING
        return STALE if self.fixable else DRIFT


def stale_findings(ls: DocgenServer, buffer: Buffer) -> list[StaleFinding]:
    """The stale docstrings of a parsed buffer, checked against its code (no model).

    Kept per buffer (one parsed version of a document) and style: opening a file,
    "Generate docstring" and the code actions on the same version check it once."""
    if buffer.parsed is None:
        return []
    style = ls.options.style if ls.options.style != "auto" else "google"
    key = (id(buffer), style)
    with _STALE_LOCK:
        kept = _STALE_KEPT.get(key)
        if kept is not None and kept[0] is buffer:
            _STALE_KEPT.move_to_end(key)
            return list(kept[1])
    with ls.stats.timed("stale:check"):
        found = find_stale(buffer.parsed, buffer.source, style)
    with _STALE_LOCK:
        _STALE_KEPT[key] = (buffer, found)  # the buffer is held: its id stays its own
        while len(_STALE_KEPT) > _STALE_KEEP:
            _STALE_KEPT.popitem(last=False)
    return list(found)


_STALE_KEEP = 64
_STALE_KEPT: OrderedDict[tuple[int, str], tuple[Buffer, list[StaleFinding]]] = OrderedDict()
"""The last buffers' stale findings (read from the event loop and worker threads)."""
_STALE_LOCK = threading.Lock()


def find_problems(ls: DocgenServer, buffer: Buffer) -> list[Finding]:
    """Return the missing and stale docstrings of a parsed buffer."""
    parsed = buffer.parsed
    if parsed is None:
        return []
    options = ls.options
    out: list[Finding] = []
    if options.diagnostic_severity != "off":
        for symbol in missing_docstrings(parsed, ls.counting_options()):
            out.append(Finding(MISSING, symbol, f"{symbol.kind} {symbol.name} has no docstring"))
    if options.stale_severity != "off":
        by_qualname = {s.qualname: s for s in parsed.symbols}
        try:
            stale = stale_findings(ls, buffer)
        except Exception as exc:  # noqa: BLE001 - a checker bug must not stop diagnostics
            logger.warning("stale check of %s failed: %s", buffer.path, exc)
            stale = []
        for finding in stale:
            symbol = by_qualname.get(finding.qualname)
            if symbol is None:
                continue
            for item in finding.findings:
                out.append(Finding(item.code, symbol, item.message, item.fixable))
    return _unsilenced(buffer, out)


def _unsilenced(buffer: Buffer, problems: list[Finding]) -> list[Finding]:
    """Leave out what ``# docgen: ignore`` comments silence, as ``docgen check`` does."""
    rules = suppressions_of(buffer.source, buffer.path, buffer.parsed)
    if rules is None:
        return problems
    return [
        p
        for p in problems
        if rules.rule_for(
            p.code,
            p.symbol.qualname,
            (p.symbol.name_span or p.symbol.span).start_line + 1,
        )
        is None
    ]


def to_diagnostics(
    ls: DocgenServer, document: TextDocument, problems: list[Finding]
) -> list[types.Diagnostic]:
    """Convert findings to LSP diagnostics on the symbols' names."""
    out = []
    for problem in problems:
        option = (
            ls.options.diagnostic_severity if problem.code == MISSING else ls.options.stale_severity
        )
        out.append(
            types.Diagnostic(
                range=_anchor(document, problem.symbol),
                message=problem.message,
                severity=_SEVERITY.get(option, types.DiagnosticSeverity.Information),
                code=problem.code,
                source=SOURCE,
                data={
                    "qualname": problem.symbol.qualname,
                    "code": problem.code,
                    "fixable": problem.fixable,
                },
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


def _anchor(document: TextDocument, symbol: Symbol) -> types.Range:
    """The symbol's name; for a module (its span is the whole file), the first line."""
    if symbol.kind == "module":
        lines = document_lines(document)
        first = lines[0].rstrip("\r\n") if lines else ""
        start = types.Position(line=0, character=0)
        return types.Range(start=start, end=char_position(document, 0, len(first)))
    return client_range(document, symbol.name_span or symbol.span)
