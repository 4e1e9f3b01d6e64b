"""What a function's code says, against which its docstring is checked
(:mod:`assistant.faithfulness`): parameters with their kinds and defaults, whether it
returns a value or yields, what its own body raises, and the identifiers it (and the
evidence about it) names.

Python is read with :mod:`ast`; other languages from the parsed symbol.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.passing import parse_function
from assistant.summaries import Vocabulary
from indexer.symbols import Symbol

_NO_VALUE = {"None", "NoReturn", "Never", "typing.NoReturn", "typing.Never", "void", "()"}
_ITERATOR = re.compile(
    r"^(?:typing\.|collections\.abc\.|t\.)?(?:Async)?(?:Iterator|Iterable|Generator)\["
)
_ALWAYS_KNOWN = {w.lower() for w in keyword.kwlist} | {"e.g", "i.e", "etc"}


@dataclass(slots=True)
class ParamFact:
    """A parameter as the code declares it."""

    name: str
    kind: str
    default: str | None = None
    annotation: str | None = None


@dataclass(slots=True)
class CodeFacts:
    """What the code says, against which a docstring is checked.

    Attributes:
        params: Parameters by bare name (``self`` included as written).
        returns_value: A ``return <value>`` (other than ``None``) in the own body, or a
            stub body under a value annotation.
        yields: A ``yield`` in the own body.
        raises: Bare names of the exceptions raised in the own body.
        annotation: The return annotation, if any.
        known: Lowercase identifiers of the code, the signature and the evidence.
        code: The symbol's code (string literals in code spans are looked up in it).
    """

    params: dict[str, ParamFact] = field(default_factory=dict)
    returns_value: bool = False
    yields: bool = False
    raises: set[str] = field(default_factory=set)
    annotation: str | None = None
    known: set[str] = field(default_factory=set)
    code: str = ""


# --- facts from the code ----------------------------------------------------------------


def _own_nodes(body: list[ast.stmt]) -> Iterable[ast.AST]:
    """Nodes of a function body, not descending into nested functions, classes, lambdas."""
    nested = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
    stack: list[ast.AST] = [node for node in reversed(body) if not isinstance(node, nested)]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            ):
                stack.append(child)


def _bare(expr: ast.expr) -> str | None:
    target = expr.func if isinstance(expr, ast.Call) else expr
    if isinstance(target, ast.Name | ast.Attribute):
        return ast.unparse(target).rsplit(".", 1)[-1]
    return None


def _handler_names(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return {"BaseException", "Exception"}
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {name for t in types if (name := _bare(t))}


def _raised(body: list[ast.stmt]) -> set[str]:
    found: set[str] = set()

    def visit(nodes: list[ast.stmt], handler: ast.ExceptHandler | None) -> None:
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(node, ast.Raise):
                bound = handler.name if handler is not None else None
                if node.exc is None or (isinstance(node.exc, ast.Name) and node.exc.id == bound):
                    if handler is not None:
                        found.update(_handler_names(handler))
                elif (name := _bare(node.exc)) is not None:
                    found.add(name)
            for handler_node in getattr(node, "handlers", []):
                visit(handler_node.body, handler_node)
            for name in ("body", "orelse", "finalbody"):
                children = getattr(node, name, None)
                if isinstance(children, list):
                    visit([c for c in children if isinstance(c, ast.stmt)], handler)
            for case in getattr(node, "cases", []):
                visit(case.body, handler)

    visit(body, None)
    return found


def _is_stub(body: list[ast.stmt]) -> bool:
    """Only a docstring, ``...``, ``pass`` or ``raise NotImplementedError``."""
    for node in body:
        if isinstance(node, ast.Pass):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # ``...`` or a docstring
        if isinstance(node, ast.Raise) and node.exc is not None:
            if _bare(node.exc) == "NotImplementedError":
                continue
        return False
    return True


def _ast_params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ParamFact]:
    args = fn.args
    out: dict[str, ParamFact] = {}
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for i, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind = "positional_only" if i < len(args.posonlyargs) else "positional"
        out[arg.arg] = ParamFact(arg.arg, kind, _text(default), _text(arg.annotation))
    if args.vararg:
        out[args.vararg.arg] = ParamFact(
            args.vararg.arg, "var_positional", None, _text(args.vararg.annotation)
        )
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out[arg.arg] = ParamFact(arg.arg, "keyword_only", _text(default), _text(arg.annotation))
    if args.kwarg:
        out[args.kwarg.arg] = ParamFact(
            args.kwarg.arg, "var_keyword", None, _text(args.kwarg.annotation)
        )
    return out


def _text(node: ast.expr | None) -> str | None:
    return None if node is None else ast.unparse(node)


def code_facts(symbol: Symbol, code: str, evidence: Iterable[str] = ()) -> CodeFacts:
    """What ``symbol``'s code says: parameters, returns, yields, raises, identifiers.

    Python is read with :mod:`ast`; other languages (or code ``ast`` cannot read) from the
    parsed symbol. ``evidence``: texts whose identifiers count as grounded too (the
    callees, the enclosing class and module, the similar symbols' names).
    """
    known = Vocabulary.from_texts([code, symbol.qualname, symbol.parent or "", *evidence])
    facts = CodeFacts(known=known.identifiers | _ALWAYS_KNOWN, code=code)
    facts.annotation = (symbol.returns or "").strip() or None
    if symbol.kind not in ("function", "method"):
        return facts
    fn = parse_function(code) if symbol.language == "python" else None
    if fn is not None:
        facts.params = _ast_params(fn)
        facts.annotation = _text(fn.returns) or facts.annotation
        own = list(_own_nodes(fn.body))
        facts.yields = any(isinstance(n, ast.Yield | ast.YieldFrom) for n in own)
        facts.returns_value = any(
            isinstance(n, ast.Return)
            and n.value is not None
            and not (isinstance(n.value, ast.Constant) and n.value.value is None)
            for n in own
        )
        if not facts.returns_value and not facts.yields and _is_stub(fn.body):
            facts.returns_value = _has_value(facts.annotation)
        facts.raises = _raised(fn.body)
        return facts
    facts.params = {
        p.name.lstrip("*"): ParamFact(p.name.lstrip("*"), p.kind, p.default, p.annotation)
        for p in symbol.parameters
        if p.name.strip("*/")
    }
    facts.yields = symbol.has_yield
    facts.returns_value = symbol.has_return or (
        symbol.language != "python" and _has_value(facts.annotation)
    )
    facts.raises = {r.split("(")[0].rsplit(".", 1)[-1].strip() for r in symbol.raises}
    return facts


def _has_value(annotation: str | None) -> bool:
    return bool(annotation) and annotation not in _NO_VALUE


def yielded_type(annotation: str | None) -> str | None:
    """The element type of an ``Iterator[X]``/``Generator[X, ...]`` annotation."""
    text = (annotation or "").strip()
    match = _ITERATOR.match(text)
    if not match or not text.endswith("]"):
        return None
    inner, depth, parts, start = text[match.end() : -1], 0, [], 0
    for i, ch in enumerate(inner):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return parts[0].strip() or None
