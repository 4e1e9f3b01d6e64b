"""Code actions: "Generate docstring", "Update stale docstring", "Generate docstrings
for this file", and the commands ``docgen.generateDocstring`` / ``docgen.documentFile``.

Listing actions is instant (no model): each action carries ``data`` naming the document
version and symbol, and the edit is computed in ``codeAction/resolve``. For clients
without resolve support for ``edit``, each action carries a command instead, which
computes the edit and sends it with workspace/applyEdit (resolve drops the command, so
an edit is never applied twice). A resolve for an older document version is answered for
the current one when the symbol still exists, else with ContentModified.

An action that resolves to no edit (every draft below ``minConfidence``) comes back
without one, with ``disabled.reason`` when the client supports disabled actions, and a
message saying why; it is remembered (:mod:`lsp.unresolved`), so that for the same text
it is listed disabled with its reason, or not at all for a client that cannot show
disabled actions. While drafting is unavailable (a model that does not load) no drafting
action is offered enabled.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.workspace import TextDocument

from assistant.pipeline import PlannedEdit, TextEdit
from indexer.coverage import missing_docstrings
from indexer.symbols import Symbol
from lsp import diagnostics
from lsp.documents import enclosing_symbol, symbol_at
from lsp.file_progress import FileProgress
from lsp.live_index import Buffer
from lsp.on_save import STALE_FILE_KIND, kind_value, on_save, stale_file_action, wants_kind
from lsp.options import COMMAND_DOCUMENT_FILE, COMMAND_GENERATE_DOCSTRING
from lsp.pipeline_service import DraftingUnavailable
from lsp.positions import char_position, client_position, server_position
from lsp.requests import ContentModified, RequestFailed, buffer_for, in_thread, request
from lsp.state import DocgenServer
from lsp.unresolved import Key, action_key

GENERATE, UPDATE, FILE = "generate", "update", "file"
FILE_KIND = "source.docgen"


def register(server: DocgenServer) -> None:
    """Register code actions, their resolve handler and the two edit commands."""
    kinds = [
        types.CodeActionKind.QuickFix,
        types.CodeActionKind.RefactorRewrite,
        FILE_KIND,
        STALE_FILE_KIND,
    ]
    options = types.CodeActionOptions(code_action_kinds=kinds, resolve_provider=True)
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)(code_action)
    server.feature(types.CODE_ACTION_RESOLVE)(resolve_code_action)
    server.command(COMMAND_GENERATE_DOCSTRING)(generate_docstring_command)
    server.command(COMMAND_DOCUMENT_FILE)(document_file_command)


@request(types.TEXT_DOCUMENT_CODE_ACTION, outside=list)
async def code_action(ls: DocgenServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """List the docstring actions for the range (no model work)."""
    document, buffer = buffer_for(ls, params.text_document.uri)
    if buffer.parsed is None:
        return []
    server_position(document, params.range.start)  # validates the range
    found = diagnostics.find_problems(ls, buffer)
    problems = {(p.kind, p.symbol.qualname): p for p in found}
    actions = _symbol_actions(params, document, buffer, problems)
    missing = [
        p for p in problems.values() if p.code == diagnostics.MISSING and _draftable(p.symbol)
    ]
    if on_save(params):  # nothing is drafted on save: only stale sections are fixed
        actions, missing = [], []
    if missing:
        actions.append(_file_action(params, document, len(missing)))
    if _client_resolves_edits(ls):
        for action in actions:
            action.command = None  # the edit comes from codeAction/resolve
    actions = _withhold_unresolvable(ls, buffer, actions)
    stale = [p for p in found if p.kind == diagnostics.STALE]
    if stale and wants_kind(params.context.only, STALE_FILE_KIND):
        action = await stale_file_action(ls, document, buffer, _text_edit, _workspace_edit)
        if action is not None:
            actions.append(action)
    return _filter_kinds(actions, params.context.only)


def _withhold_unresolvable(
    ls: DocgenServer, buffer: Buffer, actions: list[types.CodeAction]
) -> list[types.CodeAction]:
    """Disable (with the reason) the actions known to yield no edit, or leave them out
    for a client without ``codeAction.disabledSupport``."""
    shows_disabled = _client_shows_disabled(ls)
    unavailable = ls.pipeline_service.unavailable
    kept = []
    for action in actions:
        data = action.data
        reason = unavailable or ls.unresolvable.reason(
            action_key(buffer.uri, buffer.source, data["action"], data["qualname"])
        )
        if reason is None:
            kept.append(action)
        elif shows_disabled:
            action.disabled = types.CodeActionDisabled(reason=reason)
            action.command = None
            kept.append(action)
    return kept


def _client_shows_disabled(ls: DocgenServer) -> bool:
    """Whether the client shows an action's ``disabled`` reason (LSP 3.16)."""
    text_document = ls.client_capabilities.text_document
    code_action = text_document.code_action if text_document else None
    return bool(code_action and code_action.disabled_support)


def _symbol_actions(
    params: types.CodeActionParams,
    document: TextDocument,
    buffer: Buffer,
    problems: dict[tuple[str, str], diagnostics.Finding],
) -> list[types.CodeAction]:
    """Generate/update actions for the classes and functions in the range and in the
    diagnostics (see :func:`_draftable`)."""
    targets = _targets(buffer, params.range)
    symbols = buffer.parsed.symbols if buffer.parsed else []
    by_name = {s.qualname: s for s in symbols if _draftable(s)}
    for diag in params.context.diagnostics:
        if diag.source == diagnostics.SOURCE and isinstance(diag.data, dict):
            if diag.data.get("qualname") in by_name:
                targets.append(by_name[diag.data["qualname"]])
    actions: list[types.CodeAction] = []
    seen: set[tuple[str, str]] = set()
    for symbol in targets:
        for code, action in ((diagnostics.MISSING, GENERATE), (diagnostics.STALE, UPDATE)):
            wants = (code, symbol.qualname) in problems or (
                code == diagnostics.MISSING and not symbol.docstring and _draftable(symbol)
            )
            if wants and (action, symbol.qualname) not in seen:
                seen.add((action, symbol.qualname))
                actions.append(_action(params, document, symbol, action, code))
    return actions


def _client_resolves_edits(ls: DocgenServer) -> bool:
    """Whether the client calls codeAction/resolve to fill in ``edit``."""
    text_document = ls.client_capabilities.text_document
    code_action = text_document.code_action if text_document else None
    support = code_action.resolve_support if code_action else None
    return bool(support and "edit" in support.properties)


@request(types.CODE_ACTION_RESOLVE)
async def resolve_code_action(ls: DocgenServer, action: types.CodeAction) -> types.CodeAction:
    """Compute the edit of an action listed by :func:`code_action`."""
    data = action.data
    if not isinstance(data, dict) or not isinstance(data.get("uri"), str):
        raise JsonRpcInvalidParams("codeAction/resolve: data must be the object docgen listed")
    document, buffer = buffer_for(ls, data["uri"])
    kind = data.get("action")
    if kind == FILE:
        symbols = _missing_symbols(ls, buffer)
    else:
        symbols = [_symbol_named(buffer, data.get("qualname"))]
        if kind == GENERATE and symbols[0].docstring:
            raise ContentModified(f"{symbols[0].qualname} has a docstring now")
    request_kind = "file" if kind == FILE else "generate"  # the router's request kinds
    edits, skipped = await _edits(ls, document, buffer, symbols, kind == UPDATE, request_kind)
    action.command = None
    if not edits:
        reason = _no_edit_reason(ls, symbols, skipped)
        ls.unresolvable.remember(
            action_key(buffer.uri, buffer.source, str(kind), data.get("qualname")), reason
        )
        action.edit = None
        if _client_shows_disabled(ls):
            action.disabled = types.CodeActionDisabled(reason=reason)
        ls.tell(reason)  # VS Code shows nothing for a chosen action without an edit
        return action
    action.edit = _workspace_edit(ls, document, edits)
    return action


@request(f"workspace/executeCommand:{COMMAND_GENERATE_DOCSTRING}")
async def generate_docstring_command(ls: DocgenServer, *args: Any) -> dict[str, Any]:
    """``docgen.generateDocstring(uri, position)``: insert the symbol's docstring."""
    uri, position = _command_args(args, 2, COMMAND_GENERATE_DOCSTRING)
    try:
        pos = types.Position(line=int(position["line"]), character=int(position["character"]))
    except (TypeError, KeyError, ValueError) as exc:
        raise JsonRpcInvalidParams(
            f"{COMMAND_GENERATE_DOCSTRING}: bad position {position!r}"
        ) from exc
    document, buffer = buffer_for(ls, uri)
    line, _, byte_col = server_position(document, pos)
    if buffer.parsed is None:
        raise JsonRpcInvalidParams(f"{uri}: language not supported")
    symbol = symbol_at(buffer.parsed, line, byte_col) or enclosing_symbol(buffer.parsed, line)
    if symbol is None:
        return {"applied": False, "reason": "no function or class at that position"}
    stale = any(
        p.kind == diagnostics.STALE and p.symbol.qualname == symbol.qualname
        for p in diagnostics.find_problems(ls, buffer)
    )
    if symbol.docstring and not stale:
        return {"applied": False, "edits": 0, "reason": f"{symbol.qualname} is documented"}
    edits, skipped = await _edits(ls, document, buffer, [symbol], update=stale)
    if not edits:
        key = action_key(buffer.uri, buffer.source, UPDATE if stale else GENERATE, symbol.qualname)
        return _nothing_applied(ls, key, _no_edit_reason(ls, [symbol], skipped))
    return await _apply(ls, document, edits, f"docgen: docstring for {symbol.qualname}")


@request(f"workspace/executeCommand:{COMMAND_DOCUMENT_FILE}")
async def document_file_command(ls: DocgenServer, *args: Any) -> dict[str, Any]:
    """``docgen.documentFile(uri)``: insert docstrings for every undocumented symbol."""
    (uri,) = _command_args(args, 1, COMMAND_DOCUMENT_FILE)
    document, buffer = buffer_for(ls, uri)
    symbols = _missing_symbols(ls, buffer)
    async with FileProgress(ls, len(symbols)) as progress:
        edits, skipped = await _edits(ls, document, buffer, symbols, False, "file", progress)
    if not edits:
        key = action_key(buffer.uri, buffer.source, FILE, None)
        return _nothing_applied(ls, key, _no_edit_reason(ls, symbols, skipped))
    return await _apply(ls, document, edits, "docgen: document file")


def _nothing_applied(ls: DocgenServer, key: Key, reason: str) -> dict[str, Any]:
    """A command that found nothing to insert: remember it, say why, return the result."""
    ls.unresolvable.remember(key, reason)
    ls.tell(reason)
    return {"applied": False, "edits": 0, "reason": reason}


def _no_edit_reason(ls: DocgenServer, symbols: list[Symbol], skipped: list[str]) -> str:
    """Why drafting ``symbols`` gave no edit (``skipped``: one reason per draft left out)."""
    if not symbols:
        return "docgen: nothing to insert: no undocumented function or class in this file"
    if len(symbols) == 1:
        why = skipped[0] if skipped else "nothing to insert"
        return f"docgen: no docstring for {symbols[0].qualname}: {why}"
    floor = ls.options.min_confidence
    return (
        f"docgen: no docstring for this file: all {len(symbols)} drafts are below the "
        f"minConfidence setting ({floor:.2f}); lower it to see them"
    )


def _targets(buffer: Buffer, rng: types.Range) -> list[Symbol]:
    parsed = buffer.parsed
    assert parsed is not None
    out = [
        s
        for s in parsed.symbols
        if _draftable(s) and rng.start.line <= (s.name_span or s.span).start_line <= rng.end.line
    ]
    inner = enclosing_symbol(parsed, rng.start.line)
    if inner is not None and inner not in out:
        out.append(inner)
    return out


def _action(
    params: types.CodeActionParams,
    document: TextDocument,
    symbol: Symbol,
    action: str,
    code: str,
) -> types.CodeAction:
    attached = [
        d
        for d in params.context.diagnostics
        if isinstance(d.data, dict)
        and d.data.get("qualname") == symbol.qualname
        and (d.code == code or (code == diagnostics.STALE and d.data.get("fixable")))
    ]
    if action == GENERATE:
        title = f"Generate docstring for {symbol.qualname}"
    else:
        title = f"Update stale docstring of {symbol.qualname}"
    name = symbol.name_span or symbol.span
    position = client_position(document, name.start_line, name.start_col)
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix if attached else types.CodeActionKind.RefactorRewrite,
        diagnostics=attached or None,
        is_preferred=bool(attached) or None,
        data=_data(document, action, symbol.qualname),
        command=types.Command(
            title=title,
            command=COMMAND_GENERATE_DOCSTRING,
            arguments=[document.uri, {"line": position.line, "character": position.character}],
        ),
    )


def _file_action(
    params: types.CodeActionParams, document: TextDocument, count: int
) -> types.CodeAction:
    title = f"Generate docstrings for this file ({count} missing)"
    return types.CodeAction(
        title=title,
        kind=FILE_KIND,
        data=_data(document, FILE, None),
        command=types.Command(title=title, command=COMMAND_DOCUMENT_FILE, arguments=[document.uri]),
    )


def _data(document: TextDocument, action: str, qualname: str | None) -> dict[str, Any]:
    return {
        "uri": document.uri,
        "version": document.version,
        "action": action,
        "qualname": qualname,
    }


def _filter_kinds(
    actions: list[types.CodeAction], only: list[str] | None
) -> list[types.CodeAction]:
    """Keep the actions whose kind is one of ``only`` or below one (``source.docgen`` is
    below ``source``). Kinds are compared by value: ``str()`` of an lsprotocol kind is its
    enum name (``CodeActionKind.QuickFix``), not ``quickfix``."""
    if not only:
        return actions
    wanted = [kind_value(k) for k in only]
    return [
        a
        for a in actions
        if any(kind_value(a.kind) == k or kind_value(a.kind).startswith(f"{k}.") for k in wanted)
    ]


def _symbol_named(buffer: Buffer, qualname: Any) -> Symbol:
    parsed = buffer.parsed
    for symbol in parsed.symbols if parsed else []:
        if symbol.qualname == qualname:
            return symbol
    raise ContentModified(f"{qualname!r} is no longer in {buffer.path}; request the actions again")


def _missing_symbols(ls: DocgenServer, buffer: Buffer) -> list[Symbol]:
    """What "Generate docstrings for this file" documents: the classes and functions the
    diagnostics flag (the rule of ``docgen check``), less what :func:`_draftable` leaves out."""
    if buffer.parsed is None:
        return []
    flagged = missing_docstrings(buffer.parsed, ls.counting_options())
    return [symbol for symbol in flagged if _draftable(symbol)]


def _draftable(symbol: Symbol) -> bool:
    """Whether the editor offers to draft ``symbol``'s docstring: classes and functions.

    A missing module docstring is flagged (as ``docgen check`` counts it) but not drafted
    in the editor, as before."""
    return symbol.kind != "module"


async def _edits(
    ls: DocgenServer,
    document: TextDocument,
    buffer: Buffer,
    symbols: list[Symbol],
    update: bool,
    request_kind: str = "generate",
    progress: FileProgress | None = None,
) -> tuple[list[types.TextEdit], list[str]]:
    """Draft each symbol (concurrently, so the batcher can group them) and plan edits;
    return them with the reasons of the drafts left out. ``request_kind``: the router's
    kind (``generate``: accurate, interactive; ``file``: accurate, bulk priority)."""
    service = ls.pipeline_service
    parsed = buffer.parsed
    floor = ls.options.min_confidence

    bulk = request_kind == "file"

    def plan(symbol: Symbol) -> PlannedEdit | str:
        """The symbol's edit, checked with the others at the end (one parse of the
        edited file for the whole action, not one per edit), or why there is none."""
        if bulk:  # each step waits while hovers are answered (at most BULK_YIELD_S)
            ls.activity.yield_to(BULK_YIELD_S)
        if update and parsed is not None:
            finding = next(
                (
                    f
                    for f in diagnostics.stale_findings(ls, buffer)
                    if f.qualname == symbol.qualname
                ),
                None,
            )
            if finding is not None and finding.fixable:
                return service.planned_stale_update(buffer.path, buffer.source, symbol, finding)
        result = service.draft(buffer.path, buffer.source, symbol, parsed, request_kind)
        if bulk:
            ls.activity.yield_to(BULK_YIELD_S)
        if result.below_floor:  # the pipeline applies min_confidence, in one place
            return (
                f"the draft's confidence {result.confidence:.2f} is below the minConfidence "
                f"setting ({floor:.2f}); lower it to see the draft"
            )
        return service.planned_insertion(buffer.path, buffer.source, symbol, result)

    def check(ready: list[PlannedEdit]) -> tuple[list[int], list[tuple[str | None, str]]]:
        if bulk:
            ls.activity.yield_to(BULK_YIELD_S)
        language = parsed.language if parsed is not None else symbols[0].language
        return service.check_together(buffer.path, buffer.source, language, ready)

    try:
        # a file-wide action drafts a few at a time: its Python work (retrieval, ranking,
        # rendering) would otherwise hold the interpreter while hovers wait
        limit = asyncio.Semaphore(
            _FILE_CONCURRENCY if request_kind == "file" else len(symbols) or 1
        )
        # an editor request is interactive: the file-wide action steps aside for it
        with contextlib.nullcontext() if bulk else ls.activity.active():
            planned = await asyncio.gather(
                *(_counted(in_thread(ls, plan, s, bulk=bulk), progress, limit) for s in symbols)
            )
            reasons = [item for item in planned if isinstance(item, str)]
            ready = [item for item in planned if not isinstance(item, str)]
            kept, refused = await in_thread(ls, check, ready, bulk=bulk) if ready else ([], [])
    except DraftingUnavailable as exc:
        raise RequestFailed(str(exc)) from exc
    except ValueError as exc:  # EditRefused (a ValueError): the edit would damage the file
        raise RequestFailed(f"docgen: edit refused: {exc}") from exc
    finally:
        for message in ls.pipeline_service.take_messages():  # once, not once per request
            ls.warn(message)
    if refused and not kept:  # nothing left to apply: say why, as a refused request
        raise RequestFailed(f"docgen: edit refused: {refused[0][1]}")
    reasons += [f"{qualname}: {why}" if qualname else why for qualname, why in refused]
    return [_text_edit(document, ready[i][2]) for i in kept], reasons


_FILE_CONCURRENCY = 2
BULK_YIELD_S = 0.5
"""Longest a step of the file-wide action waits for interactive requests to finish."""


async def _counted(work: Any, progress: FileProgress | None, limit: asyncio.Semaphore) -> Any:
    """Await ``work`` (a coroutine, started within ``limit``), then count it on
    ``progress`` ($/progress of the file-wide action)."""
    async with limit:
        result = await work
    if progress is not None:
        progress.advance()
    return result


def _text_edit(document: TextDocument, edit: TextEdit) -> types.TextEdit:
    """Convert the pipeline's edit (code-point columns) to the client's encoding."""
    return types.TextEdit(
        range=types.Range(
            start=char_position(document, edit.start_line, edit.start_col),
            end=char_position(document, edit.end_line, edit.end_col),
        ),
        new_text=edit.new_text,
    )


def _workspace_edit(
    ls: DocgenServer, document: TextDocument, edits: list[types.TextEdit]
) -> types.WorkspaceEdit:
    caps = ls.client_capabilities.workspace
    versioned = bool(caps and caps.workspace_edit and caps.workspace_edit.document_changes)
    if versioned and document.version is not None:
        identifier = types.OptionalVersionedTextDocumentIdentifier(
            uri=document.uri, version=document.version
        )
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=identifier, edits=edits)]
        )
    return types.WorkspaceEdit(changes={document.uri: edits})


async def _apply(
    ls: DocgenServer, document: TextDocument, edits: list[types.TextEdit], label: str
) -> dict[str, Any]:
    params = types.ApplyWorkspaceEditParams(edit=_workspace_edit(ls, document, edits), label=label)
    try:
        result = await ls.workspace_apply_edit_async(params)
    except JsonRpcException as exc:  # the client's error, or a response docgen cannot read
        raise RequestFailed(f"docgen: the editor did not apply the edit: {exc}") from exc
    if not isinstance(result, types.ApplyWorkspaceEditResult) or not result.applied:
        reason = getattr(result, "failure_reason", None) or "it gave no reason"
        raise RequestFailed(f"docgen: the editor did not apply the edit ({reason})")
    return {"applied": True, "edits": len(edits), "reason": None}


def _command_args(args: tuple[Any, ...], count: int, name: str) -> tuple[Any, ...]:
    if len(args) != count or not isinstance(args[0], str):
        raise JsonRpcInvalidParams(
            f"{name} expects {count} argument(s): uri" + (", position" if count == 2 else "")
        )
    return args
