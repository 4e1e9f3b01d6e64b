"""Encoder-state reuse (runtime side): a bounded LRU of each prompt's encoded state.

What the decoder needs from a prompt is computed once per prompt: the encoder's output,
the cross-attention K/V every decoder layer computes from it, and the first decoder step
(its logits and self-attention K/V, which depend only on the prompt: every search starts
from the same decoder start token). :class:`EncodedPrompt` holds exactly that for one
prompt, unpadded; :class:`EncoderCache` keeps them keyed by the model and the prompt's
token ids, least recently used evicted first, within a limit in bytes. A hover's fast
draft followed by "Generate docstring" on the same symbol (or a fast draft upgraded to
an accurate one) then runs neither the encoder nor the first decoder step again: the
search goes straight to the second token, for any beam width.

Thread-safe. Knows nothing of sessions: :mod:`assistant.engine.onnx_backend` fills it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_ENCODER_CACHE_MB = 64.0


@dataclass
class EncodedPrompt:
    """One prompt's state after the encoder and the first decoder step (no padding).

    Attributes:
        length: The prompt's token count.
        logits: First decoder step's logits, ``(vocab,)`` float32.
        self_kv: Per decoder layer, key then value of step 0's self-attention,
            ``(heads, 1, d_kv)`` each.
        cross_kv: Per decoder layer, key then value of the cross-attention,
            ``(heads, length, d_kv)`` each.
        cost_s: What computing it cost (its share of the batch), for the time saved.
    """

    length: int
    logits: np.ndarray
    self_kv: list[np.ndarray]
    cross_kv: list[np.ndarray]
    cost_s: float = 0.0

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        arrays = [self.logits, *self.self_kv, *self.cross_kv]
        return int(sum(a.nbytes for a in arrays))


def prompt_key(model_id: str, tokens: list[int]) -> bytes:
    """The cache key of a prompt: a digest of the model's id and the token ids."""
    h = hashlib.blake2b(digest_size=20)
    h.update(model_id.encode("utf-8", "replace"))
    h.update(b"\0")
    h.update(np.asarray(tokens, dtype=np.int64).tobytes())
    return h.digest()


class EncoderCache:
    """An LRU of :class:`EncodedPrompt` within ``max_mb`` megabytes.

    An entry larger than the whole limit is not kept. ``max_mb <= 0`` keeps nothing
    (every lookup misses), which is how the cache is turned off.

    Attributes:
        hits: Lookups answered from the cache.
        misses: Lookups that were not.
        evictions: Entries dropped to stay within the limit.
        seconds_saved: The recorded cost of every entry served from the cache.
    """

    def __init__(self, max_mb: float = DEFAULT_ENCODER_CACHE_MB) -> None:
        self.max_bytes = int(max(0.0, max_mb) * 1024 * 1024)
        self._entries: OrderedDict[bytes, EncodedPrompt] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        self.seconds_saved = 0.0

    def get(self, key: bytes) -> EncodedPrompt | None:
        """The entry of ``key`` (now the most recently used), or None (a miss)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            self.seconds_saved += entry.cost_s
            return entry

    def put(self, key: bytes, entry: EncodedPrompt) -> None:
        """Keep ``entry``; evict the least recently used entries beyond the limit."""
        size = entry.nbytes
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.nbytes
                self.evictions += 1

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def nbytes(self) -> int:
        """Bytes held now."""
        with self._lock:
            return self._bytes

    def stats(self) -> dict[str, Any]:
        """Counters for ``docgen.stats``: hits, misses, hit rate, entries, MB, evictions,
        seconds saved."""
        with self._lock:
            looked = self.hits + self.misses
            return {
                "hits": self.hits,
                "misses": self.misses,
                "hit_rate": round(self.hits / looked, 4) if looked else 0.0,
                "entries": len(self._entries),
                "mb": round(self._bytes / 1024 / 1024, 2),
                "limit_mb": round(self.max_bytes / 1024 / 1024, 2),
                "evictions": self.evictions,
                "seconds_saved": round(self.seconds_saved, 4),
            }
