"""Python-specific details the query cannot express: parameter kinds, import targets,
what counts as a docstring, decorators, overloads and stubs."""

from __future__ import annotations

from tree_sitter import Node

from indexer.symbols import Parameter


def _text(node: Node | None) -> str | None:
    return None if node is None else (node.text or b"").decode("utf-8", "replace")


def python_parameters(node: Node) -> list[Parameter]:
    """Return the parameters of a ``parameters`` node with their kinds.

    A bare ``/`` turns the preceding parameters positional-only; a bare ``*`` or
    ``*args`` makes the following ones keyword-only.
    """
    params: list[Parameter] = []
    state = "positional"
    for child in node.named_children:
        kind_of = child.type
        if kind_of == "positional_separator":
            for param in params:
                if param.kind == "positional":
                    param.kind = "positional_only"
            continue
        if kind_of == "keyword_separator":
            state = "keyword_only"
            continue
        param = _python_parameter(child, state)
        if param is None:
            continue
        if param.kind == "var_positional":
            state = "keyword_only"
        params.append(param)
    return params


def _python_parameter(child: Node, state: str) -> Parameter | None:
    kind_of = child.type
    annotation = _text(child.child_by_field_name("type"))
    default = _text(child.child_by_field_name("value"))
    target = child
    if kind_of in ("default_parameter", "typed_default_parameter"):
        target = child.child_by_field_name("name") or child
    elif kind_of == "typed_parameter":
        target = child.named_children[0] if child.named_children else child
    elif kind_of not in ("identifier", "list_splat_pattern", "dictionary_splat_pattern"):
        return None
    kind = state
    if target.type == "list_splat_pattern":
        kind = "var_positional"
    elif target.type == "dictionary_splat_pattern":
        kind = "var_keyword"
    if target.type in ("list_splat_pattern", "dictionary_splat_pattern"):
        inner = target.named_children
        if not inner:
            return None
        target = inner[0]
    name = _text(target)
    if not name:
        return None
    return Parameter(name=name, kind=kind, annotation=annotation, default=default)  # type: ignore[arg-type]


def python_imports(nodes: list[Node], module: str, is_package: bool) -> dict[str, str]:
    """Map local names bound by import statements to dotted targets.

    Args:
        nodes: ``import_statement`` / ``import_from_statement`` nodes.
        module: Dotted name of the importing module (for relative imports).
        is_package: The importing file is a package ``__init__``.
    """
    imports: dict[str, str] = {}
    for node in nodes:
        if node.type == "import_statement":
            for name in node.children_by_field_name("name"):
                if name.type == "aliased_import":
                    target = _text(name.child_by_field_name("name")) or ""
                    alias = _text(name.child_by_field_name("alias")) or ""
                    if target and alias:
                        imports[alias] = target
                else:
                    dotted = _text(name) or ""
                    head = dotted.split(".")[0]
                    if head:
                        imports[head] = head
        elif node.type == "import_from_statement":
            base = _from_base(node.child_by_field_name("module_name"), module, is_package)
            if base is None or base == "__future__":
                continue
            for name in node.children_by_field_name("name"):
                if name.type == "aliased_import":
                    target = _text(name.child_by_field_name("name")) or ""
                    local = _text(name.child_by_field_name("alias")) or ""
                else:
                    target = local = _text(name) or ""
                if target and local:
                    imports[local] = f"{base}.{target}" if base else target
    return imports


def _from_base(node: Node | None, module: str, is_package: bool) -> str | None:
    if node is None:
        return None
    if node.type != "relative_import":
        return _text(node)
    prefix = next((c for c in node.named_children if c.type == "import_prefix"), None)
    dotted = next((c for c in node.named_children if c.type == "dotted_name"), None)
    level = len(_text(prefix) or ".")
    parts = module.split(".")
    package = parts if is_package else parts[:-1]
    if level - 1 > len(package):
        return None
    package = package[: len(package) - (level - 1)]
    tail = _text(dotted)
    return ".".join([*package, tail] if tail else package)


_OVERLOADS = frozenset({"typing.overload", "typing_extensions.overload"})
_TYPING = frozenset({"typing", "typing_extensions"})


def python_docstring(node: Node) -> str | None:
    """The raw text of a docstring candidate, or ``None`` if Python would not take it as one.

    ``ast.get_docstring`` semantics: the expression is a ``str`` constant, so one string
    literal or an implicit concatenation of them (``"a " "b"``), parenthesised or not; an
    f-string anywhere in it, or a bytes literal, makes it no docstring. The parts' texts
    are joined as written (escapes are kept, as for a single literal).
    """
    while node.type == "parenthesized_expression":
        inner = [child for child in node.named_children if child.type != "comment"]
        if len(inner) != 1:
            return None
        node = inner[0]
    if node.type == "string":
        parts = [node]
    elif node.type == "concatenated_string":
        parts = [child for child in node.named_children if child.type != "comment"]
    else:
        return None
    texts = []
    for part in parts:
        text = _literal_body(part)
        if text is None:
            return None
        texts.append(text)
    return "".join(texts)


def _literal_body(node: Node) -> str | None:
    children = node.children
    if node.type != "string" or len(children) < 2:
        return None
    start, end = children[0], children[-1]
    prefix = (_text(start) or "").rstrip("'\"").lower()
    if any(mark in prefix for mark in "bft") or any(c.type == "interpolation" for c in children):
        return None
    raw = node.text or b""
    return raw[start.end_byte - node.start_byte : end.start_byte - node.start_byte].decode(
        "utf-8", "replace"
    )


def python_decorators(outer: Node) -> list[Node]:
    """The decorator expressions of a ``decorated_definition``, in order (read here rather
    than by a query pattern, whose matching was quadratic in the number of decorators)."""
    found = []
    for child in outer.children:
        if child.type == "decorator":
            inner = [node for node in child.named_children if node.type != "comment"]
            if inner:
                found.append(inner[0])
    return found


def python_facts(items, imports: dict[str, str], import_nodes: list[Node]) -> None:
    """Set the Python facts of parsed definitions (``_Def`` s of :mod:`indexer.parser`):
    their decorators, whether one is ``typing.overload`` (resolved through the module's
    imports: ``import typing as t`` makes ``@t.overload`` one, a local ``overload``
    function is not), and whether a function's body is only ``...`` (a stub)."""
    star = _star_imports(import_nodes)
    for item in items:
        if item.outer is not None and item.outer.type == "decorated_definition":
            item.decorators = python_decorators(item.outer)
        item.is_overload = any(_is_overload(_text(d) or "", imports, star) for d in item.decorators)
        item.is_stub = item.kind == "function" and _only_ellipsis(item.body)


def _is_overload(text: str, imports: dict[str, str], star: bool) -> bool:
    head, _, rest = text.strip().partition(".")
    target = imports.get(head)
    if target is None:
        return star and text.strip() == "overload"
    return (f"{target}.{rest}" if rest else target) in _OVERLOADS


def _star_imports(nodes: list[Node]) -> bool:
    """Whether ``from typing import *`` (or ``typing_extensions``) binds ``overload``."""
    for node in nodes:
        if node.type != "import_from_statement":
            continue
        if any(child.type == "wildcard_import" for child in node.children):
            if _text(node.child_by_field_name("module_name")) in _TYPING:
                return True
    return False


def _only_ellipsis(body: Node | None) -> bool:
    if body is None:
        return False
    statements = [child for child in body.named_children if child.type != "comment"]
    if len(statements) != 1 or statements[0].type != "expression_statement":
        return False
    inner = statements[0].named_children
    return len(inner) == 1 and inner[0].type == "ellipsis"
