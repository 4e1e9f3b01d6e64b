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
import textwrap
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
        raises: Bare names of the exceptions raised in the own body (a bare ``raise`` in
            an ``except`` handler counts as raising the handler's types).
        reraised: The names of ``raises`` that only re-raise: a bare ``raise`` (or
            ``raise err`` of the bound name) in an ``except`` handler; ``Exception`` and
            ``BaseException`` for a bare ``except:``.
        stub: The body is only a docstring, ``...``, ``pass`` or ``raise
            NotImplementedError`` (an abstract method or a protocol).
        annotation: The return annotation, if any.
        known: Lowercase identifiers of the code, the signature and the evidence.
        code: The symbol's code (string literals in code spans are looked up in it).
    """

    params: dict[str, ParamFact] = field(default_factory=dict)
    returns_value: bool = False
    yields: bool = False
    raises: set[str] = field(default_factory=set)
    reraised: set[str] = field(default_factory=set)
    stub: bool = False
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


def _raised(body: list[ast.stmt], reraised: set[str] | None = None) -> set[str]:
    """Exceptions the body raises; ``reraised`` collects those that a handler re-raises
    (and that no ``raise`` of the body raises itself)."""
    found: set[str] = set()
    direct: set[str] = set()
    again: set[str] = set()

    def visit(nodes: list[ast.stmt], handler: ast.ExceptHandler | None) -> None:
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(node, ast.Raise):
                bound = handler.name if handler is not None else None
                if node.exc is None or (isinstance(node.exc, ast.Name) and node.exc.id == bound):
                    if handler is not None:
                        found.update(_handler_names(handler))
                        again.update(_handler_names(handler))
                elif (name := _bare(node.exc)) is not None:
                    found.add(name)
                    direct.add(name)
            for handler_node in getattr(node, "handlers", []):
                visit(handler_node.body, handler_node)
            for name in ("body", "orelse", "finalbody"):
                children = getattr(node, name, None)
                if isinstance(children, list):
                    visit([c for c in children if isinstance(c, ast.stmt)], handler)
            for case in getattr(node, "cases", []):
                visit(case.body, handler)

    visit(body, None)
    if reraised is not None:
        reraised.update(again - direct)
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
        facts.raises = _raised(fn.body, facts.reraised)
        facts.stub = _is_stub(fn.body)
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


# --- class attributes -------------------------------------------------------------------


@dataclass(slots=True)
class AttrFact:
    """An attribute a class declares.

    Attributes:
        name: The attribute's name.
        annotation: Its annotation text (a class-level annotation or ``self.x: T = ...``).
        origin: ``field`` (a class-level annotation, a dataclass field), ``attrib`` (a
            class-level ``x = attr.ib()`` / ``field()`` call) or ``init`` (``self.x = ...``
            in ``__init__``).
    """

    name: str
    annotation: str | None
    origin: str


@dataclass(slots=True)
class ClassFacts:
    """What a class's code says about its attributes (read with :mod:`ast`, never run).

    Attributes:
        public: Public instance attributes in the order they are declared: class-level
            annotations (dataclass and attrs fields too), ``x = attr.ib()``-style
            calls and ``self.x = ...`` in ``__init__``.
        known: Every name the class defines (any class-level assignment, method, nested
            class, ``__slots__`` entry, ``self.x = ...`` in any method): a documented
            attribute outside this set no longer exists.
        bases: The base classes as written (an attribute may be inherited).
        dynamic: ``__getattr__``/``__getattribute__`` is defined (any name may exist).
    """

    public: list[AttrFact] = field(default_factory=list)
    known: set[str] = field(default_factory=set)
    bases: list[str] = field(default_factory=list)
    dynamic: bool = False


_FIELD_CALLS = {"ib", "attrib", "field", "Field", "attr"}


def class_facts(code: str) -> ClassFacts | None:
    """The attributes ``code`` (a class definition) declares, or None if it does not parse."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError):
        return None
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.ClassDef):
        return None
    facts = ClassFacts(bases=[ast.unparse(b) for b in node.bases])
    public: dict[str, AttrFact] = {}

    def declare(name: str, annotation: str | None, origin: str) -> None:
        facts.known.add(name)
        if not name.startswith("_") and name not in public:
            public[name] = AttrFact(name, annotation, origin)

    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            declare(stmt.target.id, _annotation(stmt.annotation), "field")
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                for name in _target_names(target):
                    facts.known.add(name)
                    if name == "__slots__":
                        facts.known.update(_slot_names(stmt.value))
                    elif _is_field_call(stmt.value) and len(stmt.targets) == 1:
                        declare(name, None, "attrib")
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            facts.known.add(stmt.name)
            if stmt.name in ("__getattr__", "__getattribute__"):
                facts.dynamic = True
            for name, annotation in _self_assignments(stmt):
                if stmt.name == "__init__":
                    declare(name, annotation, "init")
                facts.known.add(name)
        elif isinstance(stmt, ast.ClassDef):
            facts.known.add(stmt.name)
    facts.public = list(public.values())
    return facts


def _annotation(node: ast.expr) -> str:
    """An annotation's text; a forward reference (``"Point"``) without its quotes."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ast.unparse(node)


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for elt in target.elts for n in _target_names(elt)]
    return []


def _slot_names(value: ast.expr) -> set[str]:
    if isinstance(value, ast.Tuple | ast.List | ast.Set):
        return {
            e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        }
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return {value.value}
    return set()


def _is_field_call(value: ast.expr) -> bool:
    return isinstance(value, ast.Call) and _bare(value) in _FIELD_CALLS


def _self_assignments(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[str, str | None]]:
    """``self.x = ...`` / ``self.x: T = ...`` of a method's own body, in order."""
    if not fn.args.args:
        return []
    me = fn.args.args[0].arg
    out: list[tuple[str, str | None]] = []
    for node in _own_nodes(fn.body):
        targets: list[ast.expr] = []
        annotation = None
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets for t in _flat(target)]
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
            annotation = _annotation(node.annotation) if isinstance(node, ast.AnnAssign) else None
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == me
            ):
                out.append((target.attr, annotation))
    return out


def _flat(target: ast.expr) -> list[ast.expr]:
    if isinstance(target, ast.Tuple | ast.List):
        return [t for elt in target.elts for t in _flat(elt)]
    return [target]
