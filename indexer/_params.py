"""Parameters of a definition from common grammar fields (name/pattern/left, type,
value/right); Python's, with their kinds, come from :mod:`indexer._python`."""

from __future__ import annotations

from tree_sitter import Node

from indexer._python import python_parameters
from indexer.symbols import Parameter


def _text(node: Node | None) -> str:
    return "" if node is None else (node.text or b"").decode("utf-8", "replace")


def strip_type(text: str) -> str:
    """An annotation without its ``->`` or ``:``."""
    return text.strip().removeprefix("->").removeprefix(":").strip()


def parameters(node: Node, language: str) -> list[Parameter]:
    """The parameters of a definition's ``parameters`` capture."""
    if language == "python":
        return python_parameters(node)
    if node.type in ("identifier", "parameter"):  # a bare arrow-function parameter
        return [Parameter(_text(node))]
    params = []
    for child in node.named_children:
        if "comment" in child.type:
            continue
        params.extend(_generic_parameter(child))
    return params


_VARIADIC_MARKS = ("rest", "variadic", "spread")


def _generic_parameter(child: Node) -> list[Parameter]:
    """A parameter from common grammar fields: name/pattern/left, type, value/right."""
    names = (
        child.children_by_field_name("name")
        or child.children_by_field_name("pattern")
        or child.children_by_field_name("left")
    )
    if not names:
        if child.type in ("identifier", "self_parameter", "self"):
            names = [child]
        elif any(mark in child.type for mark in _VARIADIC_MARKS):
            names = [n for n in child.named_children if n.type == "identifier"][:1]
    annotation = strip_type(_text(child.child_by_field_name("type"))) or None
    default = _text(child.child_by_field_name("value") or child.child_by_field_name("right"))
    params = []
    for name in names:
        variadic = any(mark in t for t in (child.type, name.type) for mark in _VARIADIC_MARKS)
        text = _text(name).lstrip(".")
        if text:
            kind = "var_positional" if variadic else "positional"
            params.append(Parameter(text, kind, annotation, default or None))  # type: ignore[arg-type]
    return params
