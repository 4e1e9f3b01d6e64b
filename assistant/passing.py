"""Reading calls in Python code for :mod:`assistant.paramevidence`: which calls of a
function body pass which of its parameters on unchanged, and a class's base classes."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator

from indexer.symbols import Parameter, ParsedFile, Symbol


def parse_function(code: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The function definition ``code`` holds (dedented), or None."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError):
        return None
    node = tree.body[0] if tree.body else None
    return node if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else None


def own_calls(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.Call]:
    """The calls of ``fn``'s own body (not of nested functions or classes)."""
    nested = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    stack: list[ast.AST] = [node for node in fn.body if not isinstance(node, nested)]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                stack.append(child)


def call_text(call: ast.Call) -> str | None:
    """What is called, as written (``f``, ``self.f``, ``mod.f``), or None."""
    if isinstance(call.func, ast.Name | ast.Attribute):
        text = ast.unparse(call.func)
        return text if all(part.isidentifier() for part in text.split(".")) else None
    return None


def passed_on(call: ast.Call, names: set[str]) -> list[tuple[int | str, str]]:
    """(position or keyword, parameter) for each parameter passed as it is."""
    out: list[tuple[int | str, str]] = []
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break  # positions after *args are unknown
        if isinstance(arg, ast.Name) and arg.id in names:
            out.append((i, arg.id))
    for kw in call.keywords:
        if kw.arg and isinstance(kw.value, ast.Name) and kw.value.id in names:
            out.append((kw.arg, kw.value.id))
    return out


def same_named(passed: list[tuple[int | str, str]], params: list[Parameter]) -> set[str]:
    """The parameters of :func:`passed_on`'s ``passed`` that reach a parameter of the same
    name of the called function ``params``: in its position or under its keyword."""
    out: set[str] = set()
    for where, name in passed:
        if isinstance(where, int):
            if where < len(params) and params[where].name.lstrip("*") == name:
                out.add(name)
        elif where == name:
            out.add(name)
    return out


def calls_target(
    call: str, caller: Symbol, parsed: ParsedFile, target: Symbol, same_file: bool, module: str
) -> bool:
    """Whether ``call`` (as written in ``caller`` of ``parsed``) calls ``target`` of
    ``module``: by its name in its own file, ``self.name`` in its class, or an import."""
    head, _, rest = call.partition(".")
    if same_file:
        if call == target.qualname:
            return True
        if head in ("self", "cls") and rest == target.name and caller.parent == target.parent:
            return target.parent is not None
        if head not in parsed.imports:
            return False
    imported = parsed.imports.get(head)
    if not imported:
        return False
    dotted = f"{imported}.{rest}" if rest else imported
    return dotted == f"{module}.{target.qualname}"


def _class_header(source: bytes, cls: Symbol) -> str:
    """The class statement of ``cls`` without its body (decorators and bases as written,
    then ``pass``): the bases are read from that, not from a parse of the whole class,
    which for a large class cost milliseconds per parameter described."""
    from indexer.text import symbol_source

    if cls.body_span is None or cls.body_span.start_byte <= cls.span.start_byte:
        return textwrap.dedent(symbol_source(source, cls))
    start = source.rfind(b"\n", 0, cls.span.start_byte) + 1
    head = source[start : cls.body_span.start_byte].decode("utf-8", errors="replace")
    return textwrap.dedent(head.replace("\r\n", "\n")).rstrip() + "\n    pass\n"


def bases(source: bytes, cls: Symbol) -> list[str]:
    """The base classes of ``cls`` as written (``Base``, ``mod.Base``; ``Generic[T]`` is
    ``Generic``)."""
    try:
        tree = ast.parse(_class_header(source, cls))
    except (SyntaxError, ValueError):
        return []
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.ClassDef):
        return []
    out = []
    for base in node.bases:
        target = base.value if isinstance(base, ast.Subscript) else base  # Generic[T] -> Generic
        if isinstance(target, ast.Name | ast.Attribute):
            out.append(ast.unparse(target))
    return out
