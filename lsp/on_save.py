"""On save: ``editor.codeActionsOnSave`` with ``source.docgen`` fixes stale sections.

An automatic code action request for ``source.docgen`` (or :data:`STALE_FILE_KIND`) is a
save: docgen answers with one action, "Update stale docstrings in this file", whose edit
is computed at once (the fixes of ``--update-stale``: structural, no model) so the editor
applies it without a resolve round trip; nothing is drafted on save.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum
from typing import Any

from lsprotocol import types
from pygls.workspace import TextDocument

from assistant.pipeline import PlannedEdit, TextEdit
from lsp import diagnostics
from lsp.live_index import Buffer
from lsp.pipeline_service import DraftingUnavailable
from lsp.requests import in_thread
from lsp.state import DocgenServer

logger = logging.getLogger(__name__)

STALE_FILE_KIND = "source.docgen.updateStale"
"""Fixes the stale sections of the whole file; what ``editor.codeActionsOnSave`` with
``source.docgen`` (or this kind) applies on save."""


def kind_value(kind: Any) -> str:
    """A code action kind's string (lsprotocol enums by value)."""
    return str(kind.value) if isinstance(kind, Enum) else str(kind)


def on_save(params: types.CodeActionParams) -> bool:
    """An automatic request for ``source.docgen`` (``editor.codeActionsOnSave``)."""
    only = [kind_value(k) for k in params.context.only or []]
    automatic = params.context.trigger_kind == types.CodeActionTriggerKind.Automatic
    return automatic and any(k in ("source.docgen", STALE_FILE_KIND) for k in only)


def wants_kind(only: list[Any] | None, kind: str) -> bool:
    return not only or any(
        kind == kind_value(k) or kind.startswith(f"{kind_value(k)}.") for k in only
    )


async def stale_file_action(
    ls: DocgenServer,
    document: TextDocument,
    buffer: Buffer,
    text_edit: Callable[[TextDocument, TextEdit], types.TextEdit],
    workspace_edit: Callable[..., types.WorkspaceEdit],
) -> types.CodeAction | None:
    """ "Update stale docstrings in this file": the fixable findings of every docstring,
    its edit computed now (no model: the fixes are structural), for on-save."""
    parsed = buffer.parsed
    if parsed is None:
        return None
    by_name = {s.qualname: s for s in parsed.symbols}
    service = ls.pipeline_service
    pairs = [
        (by_name[f.qualname], f)
        for f in diagnostics.stale_findings(ls, buffer)
        if f.fixable and f.qualname in by_name
    ]

    def plan() -> list[TextEdit]:
        planned: list[PlannedEdit] = []
        for symbol, finding in pairs:
            try:
                planned.append(
                    service.planned_stale_update(buffer.path, buffer.source, symbol, finding)
                )
            except (ValueError, DraftingUnavailable) as exc:  # EditRefused: left as it is
                logger.info("stale update of %s skipped: %s", symbol.qualname, exc)
        if not planned:
            return []
        # checked as the one file they make together: one parse, not one per update
        kept, refused = service.check_together(buffer.path, buffer.source, parsed.language, planned)
        for qualname, why in refused:
            logger.info("stale update of %s skipped: %s", qualname or "the file", why)
        return [planned[i][2] for i in kept]

    edits = [text_edit(document, e) for e in await in_thread(ls, plan)]
    if not edits:
        return None
    title = f"Update stale docstrings in this file ({len(edits)})"
    return types.CodeAction(
        title=title, kind=STALE_FILE_KIND, edit=workspace_edit(ls, document, edits)
    )
