"""Code actions that resolved to no edit, remembered so that they are not offered again
as if they would work.

An action is listed without model work; only resolving it drafts. When every draft is
below ``minConfidence`` the resolve yields no edit, and the reason is kept here, keyed by
the document's text (not its version: a file on disk has none), the action and the
symbol. Listing the actions for the same text again then offers that action disabled
with the reason, or leaves it out for a client that cannot show disabled actions. A
settings change forgets everything (a lower floor may let the drafts through).
Nothing here imports lsprotocol.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

Key = tuple[str, bytes, str, str | None]

_LIMIT = 512


def action_key(uri: str, source: bytes, action: str, qualname: str | None) -> Key:
    """The key of ``action`` on ``qualname`` (``None``: the whole file) in this text."""
    return (uri, hashlib.blake2b(source, digest_size=16).digest(), action, qualname)


class Unresolvable:
    """Reasons why actions resolved to no edit (the most recent :data:`_LIMIT`)."""

    def __init__(self) -> None:
        self._reasons: OrderedDict[Key, str] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, key: Key, reason: str) -> None:
        """Record that the action ``key`` yields no edit, and why."""
        with self._lock:
            self._reasons[key] = reason
            self._reasons.move_to_end(key)
            while len(self._reasons) > _LIMIT:
                self._reasons.popitem(last=False)

    def reason(self, key: Key) -> str | None:
        """Why the action ``key`` yields no edit, or ``None`` when not known to."""
        with self._lock:
            return self._reasons.get(key)

    def clear(self) -> None:
        """Forget every reason (the settings changed)."""
        with self._lock:
            self._reasons.clear()
