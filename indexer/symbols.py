"""The symbol model shared by the indexer, the assistant and the language server.

Everything here is plain data (dataclasses of str/int/bool/list), so it converts to
and from JSON for the SQLite store without pickle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


def is_dunder(name: str) -> bool:
    """Dunder name such as ``__call__`` or ``__init__``."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def is_private_name(name: str, language: str) -> bool:
    """The one privacy rule for a single name (one part of a qualname).

    ``_name`` in every language, ``#name`` in JavaScript/TypeScript (private class
    members), and in Go an unexported (lower-case) name; dunders are not private. Java and
    Rust visibility keywords are not in the symbol model, so only the underscore applies.
    """
    if language == "go" and name[:1].islower():
        return True
    return name.startswith(("_", "#")) and not is_dunder(name)


SymbolKind = Literal["module", "class", "function", "method"]
ParamKind = Literal[
    "positional_only",  # before a bare ``/``
    "positional",  # ordinary positional-or-keyword
    "var_positional",  # *args
    "keyword_only",  # after ``*`` or ``*args``
    "var_keyword",  # **kwargs
]


@dataclass(slots=True)
class Parameter:
    """One parameter of a function signature, as written in the source."""

    name: str
    kind: ParamKind = "positional"
    annotation: str | None = None
    default: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Parameter:
        """Build a parameter from :meth:`to_dict` output."""
        return cls(**data)


@dataclass(slots=True)
class Span:
    """A region of a file: 0-based lines and columns, byte offsets into the raw bytes."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int
    start_byte: int
    end_byte: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        """Build a span from :meth:`to_dict` output."""
        return cls(**data)


@dataclass(slots=True)
class Symbol:
    """A module, class, function or method found in a source file.

    Attributes:
        path: Path of the file relative to the repository root, with ``/`` separators.
        language: Language name (``python``, ``javascript``, ``typescript``, ``go``,
            ``java``, ``rust``).
        qualname: Dotted qualified name inside the file's module, e.g. ``Cls.method``;
            the module symbol itself uses the module name (e.g. ``pkg.mod``).
        name: The bare name (``method``).
        kind: ``module``, ``class``, ``function`` or ``method``.
        span: Span of the whole definition, decorators included.
        name_span: Span of the name identifier (for hover / diagnostics ranges).
        body_span: Span of the body block (``None`` for modules and bodiless defs).
        parameters: Parameters in order; for methods ``self``/``cls`` included as written.
        returns: Return annotation text, if any.
        decorators: Decorator texts without the ``@``.
        is_async: ``async def`` / ``async function``.
        docstring: The existing docstring or doc comment, cleaned (no quotes, no comment
            markers, common indentation removed), or ``None``.
        doc_span: Span of the raw docstring literal / doc comment in the file.
        raises: Exception names raised directly in the body (not in nested defs).
        has_return: A ``return <value>`` exists in the body (not in nested defs).
        has_yield: A ``yield`` exists in the body (not in nested defs).
        calls: Names called in the body, as written (``foo``, ``self.bar``, ``mod.baz``).
        parent: Qualname of the enclosing class/function, or ``None`` at module level.
        has_errors: Tree-sitter reported syntax errors inside this definition.
        is_overload: Decorated with ``typing.overload`` (resolved through the module's
            imports: ``@t.overload`` after ``import typing as t`` is one).
        is_stub: A function whose body is only ``...`` (a stub, a protocol or abstract
            method written as one).
    """

    path: str
    language: str
    qualname: str
    name: str
    kind: SymbolKind
    span: Span
    name_span: Span | None = None
    body_span: Span | None = None
    parameters: list[Parameter] = field(default_factory=list)
    returns: str | None = None
    decorators: list[str] = field(default_factory=list)
    is_async: bool = False
    docstring: str | None = None
    doc_span: Span | None = None
    raises: list[str] = field(default_factory=list)
    has_return: bool = False
    has_yield: bool = False
    calls: list[str] = field(default_factory=list)
    parent: str | None = None
    has_errors: bool = False
    is_overload: bool = False
    is_stub: bool = False

    @property
    def line(self) -> int:
        """1-based line of the definition's name (or its start), as editors show it."""
        span = self.name_span or self.span
        return span.start_line + 1

    @property
    def is_private(self) -> bool:
        """The name itself is private (see :func:`is_private_name`)."""
        return is_private_name(self.name, self.language)

    @property
    def is_magic(self) -> bool:
        """Dunder name such as ``__call__`` (``__init__`` included)."""
        return is_dunder(self.name)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (round-trips through :meth:`from_dict`)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Symbol:
        """Build a symbol from :meth:`to_dict` output."""
        data = dict(data)
        for key in ("span", "name_span", "body_span", "doc_span"):
            if data.get(key) is not None:
                data[key] = Span.from_dict(data[key])
        data["parameters"] = [Parameter.from_dict(p) for p in data.get("parameters", [])]
        return cls(**data)


@dataclass(slots=True)
class ParsedFile:
    """The result of parsing one file."""

    path: str
    language: str
    symbols: list[Symbol]
    has_errors: bool = False
    error_lines: list[int] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)
    """Local name -> dotted target for ``import x.y as z`` / ``from a import b`` (Python)."""


@dataclass(slots=True)
class SymbolOutline:
    """The few facts a docstring-coverage check needs about a symbol (cheap to store/load).

    Attributes mirror :class:`Symbol`; ``line`` and ``col`` are 1-based, at the name.
    """

    path: str
    language: str
    qualname: str
    name: str
    kind: SymbolKind
    parent: str | None
    decorators: list[str]
    documented: bool
    line: int
    col: int
    is_overload: bool = False
    is_stub: bool = False

    @property
    def is_private(self) -> bool:
        """The name itself is private (see :func:`is_private_name`)."""
        return is_private_name(self.name, self.language)

    @property
    def is_magic(self) -> bool:
        """Dunder name such as ``__call__`` (``__init__`` included)."""
        return is_dunder(self.name)

    @classmethod
    def of(cls, symbol: Symbol) -> SymbolOutline:
        """The outline of a full symbol."""
        span = symbol.name_span or symbol.span
        return cls(
            symbol.path,
            symbol.language,
            symbol.qualname,
            symbol.name,
            symbol.kind,
            symbol.parent,
            list(symbol.decorators),
            bool(symbol.docstring),
            span.start_line + 1,
            span.start_col + 1,
            symbol.is_overload,
            symbol.is_stub,
        )

    def row(self) -> list[Any]:
        """The stored part (the rest lives in columns of its own)."""
        return [
            self.name,
            self.parent,
            self.decorators,
            self.line,
            self.col,
            self.is_overload,
            self.is_stub,
        ]

    @classmethod
    def from_row(
        cls, path: str, language: str, qualname: str, kind: SymbolKind, documented: bool, row
    ) -> SymbolOutline:
        """The outline from its columns and a :meth:`row` (read back from JSON)."""
        name, parent, decorators, line, col, *flags = row
        is_overload, is_stub = (bool(flag) for flag in (*flags, False, False)[:2])
        return cls(
            path,
            language,
            qualname,
            name,
            kind,
            parent,
            decorators,
            documented,
            line,
            col,
            is_overload,
            is_stub,
        )
