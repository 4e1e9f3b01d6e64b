"""The style-independent content of a docstring, as the pipeline builds it.

:func:`assistant.styles.build.build_doc_model` fills a :class:`DocModel` (the drafted
summary plus structural facts taken from the code); a style turns it into text. Everything
is plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.symbols import Parameter, Symbol


@dataclass(slots=True)
class ParamDoc:
    """One documented parameter.

    Attributes:
        name: The name as documented (``*args``/``**kwargs`` keep their stars).
        type: Type text from the annotation (or an existing docstring), if any.
        description: One-line description.
        default: Default value text from the signature, if any.
    """

    name: str
    type: str | None = None
    description: str = ""
    default: str | None = None

    @property
    def bare_name(self) -> str:
        """The name without ``*``/``**`` (what the signature calls it)."""
        return self.name.lstrip("*")


@dataclass(slots=True)
class ValueDoc:
    """A documented return or yield value."""

    type: str | None = None
    description: str = ""


@dataclass(slots=True)
class RaiseDoc:
    """A documented exception."""

    name: str
    description: str = ""


@dataclass(slots=True)
class DocModel:
    """Content of one docstring, independent of the style it is rendered in.

    Attributes:
        summary: The one-sentence summary (ends with a period).
        description: Extended prose after the summary (kept verbatim on updates).
        params: Parameters in signature order.
        returns: The return value, if the code returns one.
        yields: The yielded value, if the code is a generator.
        raises: Exceptions raised directly by the code.
        attributes: A class's public attributes (dataclass fields, class-level
            annotations, ``self.x = ...`` in ``__init__``), types from annotations.
        symbol_name: Bare name of the documented symbol (GoDoc starts with it).
        kind: Symbol kind (``function``, ``method``, ``class``, ``module``).
    """

    summary: str
    description: str = ""
    params: list[ParamDoc] = field(default_factory=list)
    returns: ValueDoc | None = None
    yields: ValueDoc | None = None
    raises: list[RaiseDoc] = field(default_factory=list)
    attributes: list[ParamDoc] = field(default_factory=list)
    symbol_name: str = ""
    kind: str = "function"


def signature_parameters(symbol: Symbol) -> list[Parameter]:
    """Return the parameters a docstring should document (no ``self``/``cls``, no ``*``)."""
    params = [p for p in symbol.parameters if p.name and p.name.strip("*/")]
    if symbol.language != "python":  # Rust's receiver: self, &self, &mut self, mut self
        params = [p for p in params if p.name.replace("&", "").split()[-1:] != ["self"]]
    is_static = any(d.split("(")[0].endswith("staticmethod") for d in symbol.decorators)
    if symbol.kind == "method" and params and not is_static:
        if params[0].kind in ("positional", "positional_only") and params[0].name in (
            "self",
            "cls",
            "mcs",
            "metacls",
        ):
            params = params[1:]
    return params
