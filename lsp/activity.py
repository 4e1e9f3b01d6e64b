"""Interactive activity: how many editor requests are being answered now, so bulk work
(the file-wide action) can step aside for them.

The server's Python work shares one interpreter lock: while a file-wide action drafts,
renders and checks edit after edit (parsing the whole file each time), a hover's own
Python work waits for its turn. Handlers of interactive requests hold
:meth:`Activity.active` while they run; bulk work calls :meth:`Activity.yield_to` before
each step, which waits (at most ``max_wait_s``, so bulk work always advances) until no
interactive request is in flight. Nothing here imports lsprotocol.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Activity:
    """A count of interactive requests in flight, and a wait for it to reach zero.

    Attributes:
        yields: How many times bulk work waited for interactive work.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self.yields = 0

    @property
    def busy(self) -> bool:
        """Whether an interactive request is being answered now."""
        with self._cond:
            return self._active > 0

    @contextmanager
    def active(self) -> Iterator[None]:
        """Mark one interactive request in flight for the ``with`` block."""
        with self._cond:
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                if self._active == 0:
                    self._cond.notify_all()

    def yield_to(self, max_wait_s: float) -> bool:
        """Wait until no interactive request is in flight, at most ``max_wait_s``;
        return whether it had to wait (blocking: call it from a worker thread)."""
        with self._cond:
            if self._active == 0:
                return False
            self.yields += 1
            self._cond.wait_for(lambda: self._active == 0, max_wait_s)
            return True
