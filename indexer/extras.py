"""Optional dependencies ("extras"): one message that names the extra to install.

The default install runs the shipped models on ONNX Runtime and tokenizers only; torch,
transformers, sentence-transformers, optimum and datasketch come with extras (README,
"Install"). A code path that needs one calls :func:`require` (or raises
:class:`MissingExtra`), and the front ends show its message as one line: the CLI exits 1
with ``docgen: <message>``, the language server shows it once. Indexer-level so that both
the indexer and the core can use it (the indexer imports nothing of ours above it).
"""

from __future__ import annotations

import importlib
from types import ModuleType

DISTRIBUTION = "docgen-assistant"
"""The name docgen is published under (``docgen`` itself is taken on PyPI)."""


def missing_extra(feature: str, extra: str) -> str:
    """The one line for a missing extra (without the ``docgen:`` prefix of the CLI)."""
    return f"{feature} needs the '{extra}' extra: pip install '{DISTRIBUTION}[{extra}]'"


class MissingExtra(RuntimeError):
    """A feature needs an optional dependency that is not installed.

    Attributes:
        feature: What the user asked for, e.g. ``"docgen model export"``.
        extra: The extra that provides it, e.g. ``"export"``.
    """

    def __init__(self, feature: str, extra: str) -> None:
        super().__init__(missing_extra(feature, extra))
        self.feature = feature
        self.extra = extra


def require(module: str, feature: str, extra: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtra` naming ``extra``.

    Only a missing module counts (an installed module that fails to import for another
    reason raises that error, so a broken install is not mistaken for a missing extra).
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        if exc.name is not None and exc.name.split(".")[0] not in (top, *_PULLED_IN.get(top, ())):
            raise
        raise MissingExtra(feature, extra) from exc


_PULLED_IN = {
    "sentence_transformers": ("torch", "transformers"),
    "transformers": ("torch",),
    "optimum": ("torch", "transformers", "onnx"),
}
"""Modules a package imports itself: their absence also means the extra is missing."""
