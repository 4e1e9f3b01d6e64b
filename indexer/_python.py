"""Python-specific details the query cannot express: parameter kinds and import targets."""

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
