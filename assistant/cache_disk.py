"""The output cache's diskcache ``Disk``: JSON only, never a pickle (see :mod:`assistant.cache`).

diskcache's ``JSONDisk`` encodes keys and values as JSON, but its base class still decodes
rows stored in pickle mode with ``pickle.load``: a ``cache.db`` someone else wrote could run
code on the first ``get``. :class:`SafeJSONDisk` refuses those rows (the cache is then
treated as corrupt and discarded) and can only write raw JSON bytes.
"""

from __future__ import annotations

import diskcache
import diskcache.core as _dc

_SAFE_MODES = (_dc.MODE_RAW, _dc.MODE_BINARY)
_MODE_NAMES = {_dc.MODE_PICKLE: "pickle", _dc.MODE_TEXT: "text", _dc.MODE_NONE: "no"}
_KEY_UNKNOWN = _dc.UNKNOWN


class UnsafeCacheEntry(ValueError):
    """A cache row that would need unpickling (never done): the cache is corrupt or planted."""


class SafeJSONDisk(diskcache.JSONDisk):
    """diskcache's ``JSONDisk`` without its pickle fallbacks.

    Keys and values are stored as zlib-compressed JSON bytes only (inline or in a value
    file); a key that is not stored raw, or a value in any mode other than raw bytes or a
    binary file (``MODE_PICKLE``, ``MODE_TEXT``), raises :class:`UnsafeCacheEntry` instead
    of being decoded. Settings a database may carry for the Disk (``disk_*`` rows) other
    than the ones this class knows are ignored.
    """

    def __init__(self, directory, compress_level=1, min_file_size=0, **_ignored) -> None:
        super().__init__(directory, compress_level=compress_level, min_file_size=min_file_size)

    def put(self, key):
        db_key, raw = super().put(key)  # JSON bytes: always stored raw, never pickled
        if not raw:
            raise UnsafeCacheEntry("cache key would be pickled")
        return db_key, raw

    def get(self, key, raw):
        if not raw:
            raise UnsafeCacheEntry("cache key is stored as a pickle")
        return super().get(key, raw)

    def store(self, value, read, key=_KEY_UNKNOWN):
        if read:
            raise TypeError("the result cache stores JSON values, not files")
        stored = super().store(value, read, key=key)
        if stored[1] not in _SAFE_MODES:  # JSON bytes: raw or a binary file
            raise UnsafeCacheEntry(f"cache value would be stored in mode {stored[1]}")
        return stored

    def fetch(self, mode, filename, value, read):
        if mode not in _SAFE_MODES or read:
            raise UnsafeCacheEntry(
                f"cache value is stored in {_MODE_NAMES.get(mode, mode)} mode, not JSON "
                "(a pickle is never loaded)"
            )
        return super().fetch(mode, filename, value, read)
