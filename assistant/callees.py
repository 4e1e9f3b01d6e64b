"""Callee and scope evidence: the documented definitions a symbol calls, and the summaries
of its enclosing class and module.

A call is resolved, in this order, to a method of the same class (``self.x``/``cls.x``), a
definition of the same file, a definition reached through the file's imports, and finally
any documented definition of the repository with that bare name
(``assistant.prompt.callee_key``), the way the training data was built. Only documented
definitions give evidence.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.prompt import CALLEES_K, callee_key, first_sentence
from assistant.target import Target
from indexer.symbols import Symbol

if TYPE_CHECKING:  # heavy to import: only the type is needed here
    from indexer.store import IndexStore


def summary_of(symbol: Symbol | None) -> str | None:
    """The summary a documented symbol gives as evidence: its docstring's first sentence."""
    if symbol is None or not symbol.docstring:
        return None
    return first_sentence(symbol.docstring) or None


def scope(target: Target) -> tuple[str | None, str | None, str | None]:
    """Return (class name, class summary, module summary) around the target."""
    symbols = {s.qualname: s for s in target.parsed.symbols}
    module = target.parsed.symbols[0] if target.parsed.symbols else None
    module_summary = summary_of(module) if module is not None and module.kind == "module" else None
    parent = symbols.get(target.symbol.parent or "")
    if parent is not None and parent.kind == "class":
        return parent.name, summary_of(parent), module_summary
    return None, None, module_summary


class CalleeResolver:
    """Resolves a target's calls to documented definitions of its file and the index.

    What is read from the index is remembered until :meth:`reset`.

    Args:
        store: Callable returning the calling thread's open store, or None.
        note: Called with a message when the index cannot be read.
    """

    def __init__(self, store: Callable[[], IndexStore | None], note: Callable[[str], None]) -> None:
        self._store = store
        self._note = note
        self._names: dict[str, Symbol] | None = None
        self._methods: dict[str, list[Symbol]] = {}
        self._found: dict[str, Symbol | None] = {}
        self._callers: dict[str, list[Symbol]] | None = None
        self._scan_lock = threading.Lock()

    def reset(self) -> None:
        """Forget what was read from the index (call after the index changed)."""
        with self._scan_lock:
            self._names = None
            self._methods = {}
            self._found = {}
            self._callers = None

    def warm(self) -> None:
        """Read the index's documented definitions now (the server's warm-up), so the
        first requests do not wait for the scan."""
        self._maps()

    def _maps(self) -> tuple[dict[str, Symbol], dict[str, list[Symbol]]]:
        """Documented definitions by bare name, and documented functions by the names
        they call: one scan of the index's symbols builds both, once (threads asking
        meanwhile wait for it instead of scanning too)."""
        names, callers = self._names, self._callers
        if names is not None and callers is not None:
            return names, callers
        with self._scan_lock:
            if self._names is None or self._callers is None:
                names, callers = {}, {}
                methods: dict[str, list[Symbol]] = {}
                store = self._store()
                try:
                    for symbol in store.symbols() if store is not None else []:
                        if not symbol.docstring or symbol.kind == "module":
                            continue
                        names.setdefault(symbol.name, symbol)
                        if symbol.kind == "method":
                            methods.setdefault(symbol.name, []).append(symbol)
                        if symbol.kind in ("function", "method"):
                            for key in {callee_key(c) for c in symbol.calls}:
                                callers.setdefault(key, []).append(symbol)
                except Exception as exc:  # noqa: BLE001
                    self._note(f"index lookup failed ({exc})")
                self._methods = methods
                self._names, self._callers = names, callers
            return self._names, self._callers

    def documented_by_name(self) -> dict[str, Symbol]:
        """Documented definitions of the index by bare name (first in path order)."""
        return self._maps()[0]

    def documented_methods(self, name: str) -> list[Symbol]:
        """Every documented method of the index named ``name`` (any class)."""
        self._maps()
        return self._methods.get(name, [])

    def documented_callers(self, name: str) -> list[Symbol]:
        """Documented functions of the index whose body calls something named ``name``
        (by bare name: callers must still check what the call resolves to)."""
        return self._maps()[1].get(name, [])

    def _find_dotted(self, dotted: str) -> Symbol | None:
        """Resolve ``pkg.mod.func`` / ``pkg.mod.Class.method`` to an indexed definition."""
        from indexer.text import module_name

        if dotted in self._found:
            return self._found[dotted]
        found = None
        store = self._store()
        parts = dotted.split(".")
        try:
            for cut in range(len(parts) - 1, 0, -1):
                module, qualname = ".".join(parts[:cut]), ".".join(parts[cut:])
                for symbol in store.find(qualname) if store is not None else []:
                    if symbol.docstring and module_name(symbol.path) == module:
                        found = symbol
                        break
                if found is not None:
                    break
        except Exception as exc:  # noqa: BLE001
            self._note(f"index lookup failed ({exc})")
        self._found[dotted] = found
        return found

    def _resolve(self, call: str, target: Target, local: dict[str, Symbol]) -> Symbol | None:
        symbol = target.symbol
        head, _, rest = call.partition(".")
        key = callee_key(call)
        if head in ("self", "cls") and rest and symbol.parent:
            found = local.get(f"{symbol.parent}.{key}")
            if found is not None:
                return found
        if call in local:
            return local[call]
        imported = target.parsed.imports.get(head)
        if imported:
            found = self._find_dotted(f"{imported}.{rest}" if rest else imported)
            if found is not None:
                return found
        if key in local:
            return local[key]
        return self.documented_by_name().get(key)

    def callees(self, target: Target) -> list[tuple[str, str]]:
        """Return ``(name, summary)`` of the documented definitions the target calls."""
        local = {s.qualname: s for s in target.parsed.symbols if s.kind != "module"}
        pairs: list[tuple[str, str]] = []
        seen: set[str] = set()
        for call in target.symbol.calls:
            key = callee_key(call)
            if not key or key in seen or key == target.symbol.name:
                continue
            seen.add(key)
            summary = summary_of(self._resolve(call, target, local))
            if summary:
                pairs.append((key, summary))
            if len(pairs) >= CALLEES_K:
                break
        return pairs
