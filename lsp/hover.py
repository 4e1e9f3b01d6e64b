"""textDocument/hover: a symbol's docstring, or a clearly marked generated draft.

The symbol is the one whose name is under the cursor (a definition), or the name used
at a call site, resolved against the same file, open buffers and the on-disk index.
Hover never waits for indexing: it uses what is parsed now.

A draft is a ``hover`` request for the pipeline's router (:mod:`assistant.router`): the
fast tier within the hover's budget, the model-free candidates when the engine is too
busy for that; a cached accurate draft answers it too. The footer names the tier and the
model; "Generate docstring" then drafts the accurate one, reusing the encoded prompt.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lsprotocol import types

from assistant.pipeline import DEFAULT_WRITE_FLOOR, DocResult
from indexer.symbols import Symbol
from lsp.documents import Located, dotted_name_at, symbol_at
from lsp.markdown import docstring_markdown, draft_markdown, signature_block
from lsp.pipeline_service import DraftingUnavailable
from lsp.positions import client_range, document_lines, server_position
from lsp.protocol import REQUEST_ARRIVED
from lsp.requests import buffer_for, request
from lsp.state import DocgenServer


def register(server: DocgenServer) -> None:
    """Register the hover handler on ``server``."""
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover)


@request(types.TEXT_DOCUMENT_HOVER, outside=lambda: None)
async def hover(ls: DocgenServer, params: types.HoverParams) -> types.Hover | None:
    """Answer a hover with the symbol's documentation (existing or drafted)."""
    now = time.monotonic()
    arrived = REQUEST_ARRIVED.get()  # the hover's budget counts from when it was read
    started = now if arrived is None else min(now, arrived)
    with ls.activity.active():  # bulk work steps aside meanwhile
        return await _hover(ls, params, started)


async def _hover(ls: DocgenServer, params: types.HoverParams, started: float) -> types.Hover | None:
    document, buffer = buffer_for(ls, params.text_document.uri)
    line, char_col, byte_col = server_position(document, params.position)
    if buffer.parsed is None:
        return None
    symbol = symbol_at(buffer.parsed, line, byte_col)
    name_range = None
    if symbol is not None:
        located = Located(symbol, buffer.path, buffer.source, buffer.parsed)
        name_range = client_range(document, symbol.name_span) if symbol.name_span else None
    else:
        lines = document_lines(document)
        line_text = lines[line].rstrip("\r\n") if line < len(lines) else ""
        dotted = dotted_name_at(line_text, char_col)
        located = ls.index.resolve(buffer, dotted, line) if dotted else None
    if located is None:
        return None
    value = await _markdown(ls, located, started)
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value),
        range=name_range,
    )


async def _markdown(ls: DocgenServer, located: Located, started: float) -> str:
    symbol = located.symbol
    header = signature_block(symbol)
    if symbol.docstring:
        return f"{header}\n---\n{docstring_markdown(symbol.docstring)}"
    if located.source is None:
        return f"{header}\n---\n_No docstring; the source of {located.path} is unreadable._"
    try:
        service = ls.pipeline_service
        args = (located.path, located.source, symbol, located.parsed, "hover")
        if _in_flight[0] >= HOVER_THREADS and service.degrading and service.built:
            # every hover thread is busy: shed load, here (about a millisecond; a thread
            # hand-off would cost more on a busy interpreter)
            result = service.quick_draft(*args)
        else:
            result = await _draft_in_budget(service, args, started)
    except DraftingUnavailable as exc:
        return f"{header}\n---\n_No docstring. {exc}_"
    for message in ls.pipeline_service.take_messages():  # once per session, not per hover
        ls.warn(message)
    text = _draft_text(ls, symbol, result)
    if result.summary.strip():
        text += f"\n\n{tier_footer(result)}"
    return f"{header}\n---\n{text}"


HOVER_THREADS = 4
"""Hover drafts run at most this many at a time (a draft given up at the budget counts
until it ends); while they all run, a further hover is answered at once with the name as
a sentence (model-free, counted ``(overload)``), so a flood of hovers never builds a
queue that answers late or never."""
_POOL: list[ThreadPoolExecutor] = []  # the hover threads, made on first use
_in_flight = [0]  # hover drafts running now (changed on the event loop only)


async def _draft_in_budget(service: Any, args: tuple[Any, ...], started: float) -> DocResult:
    """The hover's draft from a hover thread, held to the hover's budget from
    ``started``: the pipeline gives up waiting for the model by then, but retrieval and
    the wait for a busy interpreter come before it; a draft still not back when the
    budget less :data:`REPLY_RESERVE_MS` is spent is answered now with the name as a
    sentence (model-free, counted ``(late)``) and left to finish into the output cache,
    for the next hover."""
    _in_flight[0] += 1
    draft = asyncio.ensure_future(
        _in_hover_thread(functools.partial(service.draft, started=started), *args)
    )
    draft.add_done_callback(_draft_over)  # the thread stays busy until the draft ends
    budget = service.budget_s("hover")
    if budget is None:
        return await draft
    answer_by = started + budget - REPLY_RESERVE_MS / 1000.0
    try:
        done, _ = await asyncio.wait({draft}, timeout=max(0.0, answer_by - time.monotonic()))
    except asyncio.CancelledError:  # the client cancelled: drop a draft not started
        draft.cancel()
        raise
    if draft in done:
        return draft.result()
    return service.quick_draft(*args, reason="late")


REPLY_RESERVE_MS = 20.0
"""What a hover keeps of its budget for the late answer itself (the name as a sentence,
the markdown, the response written), so that answer too comes within the budget."""


def _draft_over(draft: asyncio.Future[Any]) -> None:
    _in_flight[0] -= 1
    if not draft.cancelled():
        draft.exception()  # a late draft's failure was logged where it happened


async def _in_hover_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a hover's draft on the hover threads: a file-wide action's many drafts (bulk
    priority, on the bulk pool) never hold every worker while hovers wait for one.
    Cancelling the await drops a draft that has not started."""
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(HOVER_THREADS, thread_name_prefix="docgen-hover"))
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_POOL[0], functools.partial(fn, *args))


def tier_footer(result: DocResult) -> str:
    """Which tier (and model) drafted a hover's draft, and what the user can do next."""
    if result.tier == "model-free":
        return (
            "_Drafted without the model (the engine was busy): a lower-confidence draft. "
            "“Generate docstring” drafts with the model._"
        )
    model = f" by `{result.model}`" if result.model else ""
    if result.tier == "fast":
        return f"_Fast draft{model}; “Generate docstring” drafts the accurate one._"
    return f"_Accurate draft{model}._"


def _draft_text(ls: DocgenServer, symbol: Symbol, result: DocResult) -> str:
    summary = result.summary.strip()
    if not summary:
        return f"_No docstring. docgen drafted no summary for `{symbol.qualname}`._"
    label = low_confidence_label(result, ls.options.min_confidence)
    return draft_markdown(summary, result.confidence, result.cached, result.provenance, label)


def low_confidence_label(result: DocResult, min_confidence: float) -> str:
    """Why a draft is labelled low confidence ("" when it is not): below the user's
    ``minConfidence`` (the pipeline decided ``below_floor``; not offered as an edit then),
    or below the floor under which ``docgen generate --write`` does not write
    (:data:`~assistant.pipeline.DEFAULT_WRITE_FLOOR`, chosen from the calibration).
    Low-confidence drafts are shown with the label, never hidden."""
    if result.below_floor:
        return (
            f"{result.confidence:.2f} is below your minConfidence {min_confidence:.2f}, "
            "so it is not offered as an edit."
        )
    if result.confidence < DEFAULT_WRITE_FLOOR:
        return (
            f"below {DEFAULT_WRITE_FLOOR:.2f}, where drafts start to be usually acceptable "
            "(`docgen generate --write` does not write it); check it against the code."
        )
    return ""
