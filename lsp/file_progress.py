"""Work-done progress (``$/progress``) of the file-wide action, when the client supports it.

``docgen.documentFile`` drafts every undocumented symbol of a file (at bulk priority, so
hovers go first): :class:`FileProgress` reports how many are drafted, as they finish, under
the title :data:`TITLE`. A client without ``window.workDoneProgress`` (or one that refuses
the token) gets no progress and the same result.
"""

from __future__ import annotations

import uuid
from typing import Any

from lsprotocol import types

from lsp.state import DocgenServer

TITLE = "docgen: documenting file"


class FileProgress:
    """``async with FileProgress(ls, total) as progress: ... progress.advance()``."""

    def __init__(self, ls: DocgenServer, total: int) -> None:
        self.ls, self.total, self.done = ls, total, 0
        self.token: str | None = None

    async def __aenter__(self) -> FileProgress:
        caps = self.ls.client_capabilities.window
        if caps is None or not caps.work_done_progress or self.total == 0:
            return self
        token = f"docgen-file-{uuid.uuid4().hex[:8]}"
        try:
            await self.ls.work_done_progress.create_async(token)
        except Exception:  # noqa: BLE001 - the client refused: no progress
            return self
        self.token = token
        self.ls.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title=TITLE, percentage=0, cancellable=False)
        )
        return self

    def advance(self) -> None:
        """One more symbol drafted (call on the event loop)."""
        self.done += 1
        if self.token is None:
            return
        percentage = int(100 * self.done / max(self.total, 1))
        message = f"{self.done}/{self.total} drafted"
        self.ls.work_done_progress.report(
            self.token, types.WorkDoneProgressReport(message=message, percentage=percentage)
        )

    async def __aexit__(self, *exc: Any) -> None:
        if self.token is not None:
            message = f"{self.done}/{self.total} drafted"
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
