"""What the pipeline documents: one symbol together with the file it was parsed from."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.symbols import ParsedFile, Symbol


@dataclass(slots=True)
class Target:
    """One symbol to document, with the file it was parsed from.

    Attributes:
        path: Repository-relative path.
        source: The file's bytes the symbol was parsed from.
        parsed: The parse of ``source``.
        symbol: The symbol.
        code: The symbol's code without its docstring.
    """

    path: str
    source: bytes
    parsed: ParsedFile
    symbol: Symbol
    code: str
