"""Building the doc model: the drafted summary plus the structural facts taken from the
code only.

:func:`build_doc_model` fills a :class:`~assistant.styles.docmodel.DocModel`: the
parameters of the signature (never invented, none left out), returns/yields from
annotations and return/yield statements, raises from raise statements (with descriptions
from their conditions or messages, :func:`raise_descriptions`). A style then renders it.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Callable

from assistant.codefacts import class_facts
from assistant.faithfulness import (
    CodeFacts,
    ParamFact,
    code_facts,
    is_prose,
    neutral_description,
    same_value,
    stated_defaults,
    strip_default_claims,
    ungrounded,
    yielded_type,
)
from assistant.styles.docmodel import DocModel, ParamDoc, RaiseDoc, ValueDoc, signature_parameters
from indexer.symbols import Parameter, Symbol

_GENERIC_RETURN = "The result."
_NO_VALUE = {"None", "NoReturn", "Never", "typing.NoReturn", "void", "()"}
_OPTIONAL = re.compile(r"^\s*optional\b|\(optional\)|,\s*optional\b", re.IGNORECASE)


_QUOTED = re.compile(r"""(?<!\w)(['"])([^'"\s][^'"]{0,40}?)\1(?!\w)""")
"""A quoted value in prose (``'enter'``, ``"utf-8"``)."""


def fits(text: str, param: Parameter, facts: CodeFacts | None = None) -> str | None:
    """``text`` (a description borrowed from a related symbol's parameter of the same
    name) as it may describe ``param``, without the default it restates (the code's own is
    stated by the caller); None when it contradicts the code.

    A description that states another default than the code's, or any default or
    "optional" for a required parameter, was written for another parameter
    (``rich.progress.open``'s required ``file`` once read "File to write to, or None for
    stdout. Defaults to None."); one naming an identifier that neither the code nor its
    evidence names (:func:`assistant.faithfulness.ungrounded`, with ``facts``) speaks of
    other code, and so does one quoting a value the code does not hold (``transitions``'
    ``Transition.add_callback`` once borrowed "Must be one of 'enter' or 'exit'" from
    ``State.add_callback``; its triggers are 'before', 'after' and 'prepare').
    """
    required = param.default is None and param.kind not in ("var_positional", "var_keyword")
    claims = stated_defaults(text)
    for value, _, _ in claims:
        if required or param.default is None:
            return None
        if not is_prose(value) and not same_value(value, param.default):
            return None
    if required and _OPTIONAL.search(text):
        return None
    if any(not is_prose(value) for value, _, _ in claims):
        text = strip_default_claims(text)  # it restates the code's: stated by the caller
    if facts is not None and ungrounded(text, facts):
        return None
    if facts is not None and any(value not in facts.code for _, value in _QUOTED.findall(text)):
        return None  # "Must be one of 'enter' or 'exit'": the values of another function
    return text.strip() or None


def fitting_description(text: str, param: Parameter) -> str:
    """``text`` if it fits ``param`` (:func:`fits`), else a neutral description."""
    fact = ParamFact(param.name.lstrip("*"), param.kind, param.default, param.annotation)
    return fits(text, param) or neutral_description(fact)


_PYTHON_STYLES = ("google", "numpy", "sphinx", "pep257")


def neutral_param_description(fact: ParamFact, style: str) -> str:
    """A description that claims nothing the code does not say, from the parameter's kind,
    name and annotation only, in a form ``style`` allows: "The ``timeout`` value
    (``float``)." where the style shows no types, "The ``timeout`` value." where the type
    is shown beside it, and nothing at all for NumPy with a type (``timeout : float``).
    Never words of the function's name."""
    if fact.kind == "var_positional":
        return "Additional positional arguments."
    if fact.kind == "var_keyword":
        return "Additional keyword arguments."
    typed = style in ("numpy", "sphinx", "jsdoc")
    annotation = " ".join((fact.annotation or "").split())
    if style == "numpy" and annotation:
        return ""
    tick = "``" if style in _PYTHON_STYLES else "`"
    text = f"The {tick}{fact.name}{tick} value"
    if annotation and not typed and len(annotation) <= 40 and "`" not in annotation:
        text += f" ({tick}{annotation}{tick})"
    return text + "."


def neutral_attribute_description(name: str, annotation: str | None, style: str) -> str:
    """An attribute's description that claims nothing the code does not say: "The
    ``name`` attribute." (nothing for NumPy, whose ``name : type`` line says it all when
    annotated). The type is the style's own field (``name (int)``, ``:vartype name:``)."""
    if style == "numpy" and annotation:
        return ""
    return f"The ``{name}`` attribute."


def attribute_docs(code: str, style: str) -> list[ParamDoc]:
    """The public attributes of a class's ``code`` (:func:`assistant.codefacts.
    class_facts`), with their annotations as types and neutral descriptions."""
    facts = class_facts(code)
    if facts is None:
        return []
    out = []
    for attr in facts.public:
        annotation = " ".join(attr.annotation.split()) if attr.annotation else None
        if annotation and len(annotation) > 40:
            annotation = None
        out.append(
            ParamDoc(
                attr.name, annotation, neutral_attribute_description(attr.name, annotation, style)
            )
        )
    return out


def fitting_describer(
    describe: Callable[[Parameter], str], facts: CodeFacts
) -> Callable[[Parameter], str]:
    """``describe`` limited to descriptions that fit the code of ``facts`` (:func:`fits`,
    identifiers included); a neutral description otherwise."""

    def fitting(param: Parameter) -> str:
        text = describe(param)
        fact = ParamFact(param.name.lstrip("*"), param.kind, param.default, param.annotation)
        return (fits(text, param, facts) if text else None) or neutral_description(fact)

    return fitting


def _is_property(symbol: Symbol) -> bool:
    return any(
        d.split("(")[0].rsplit(".", 1)[-1] in ("property", "cached_property", "setter", "getter")
        for d in symbol.decorators
    )


def raise_descriptions(code: str) -> dict[str, str]:
    """Map exception name -> description from the condition or message of its raise."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError):
        return {}
    if not tree.body or not isinstance(
        tree.body[0], ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    ):
        return {}
    found: dict[str, str] = {}

    def visit(nodes: list[ast.stmt], condition: ast.expr | None) -> None:
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(node, ast.Raise) and node.exc is not None:
                _record(node.exc, condition, found)
            if isinstance(node, ast.If):
                visit(node.body, node.test)
                visit(node.orelse, None)
                continue
            for name in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, name, None)
                if isinstance(children, list):
                    visit([c for c in children if isinstance(c, ast.stmt)], condition)
            for handler in getattr(node, "handlers", []):
                visit(handler.body, None)

    visit(tree.body[0].body, None)
    return found


def _record(exc: ast.expr, condition: ast.expr | None, found: dict[str, str]) -> None:
    call = exc if isinstance(exc, ast.Call) else None
    target = call.func if call else exc
    name = ast.unparse(target).rsplit(".", 1)[-1]
    if name in found:
        return
    if condition is not None:
        text = ast.unparse(condition)
        if len(text) <= 60:
            found[name] = f"If ``{text}``."
            return
    if call and call.args and isinstance(call.args[0], ast.Constant):
        message = str(call.args[0].value).strip()
        if message and isinstance(call.args[0].value, str) and len(message) <= 100:
            found[name] = message[0].upper() + message[1:].rstrip(".") + "."
            return
    found[name] = ""


_LITERAL_KINDS: dict[type, str] = {
    ast.List: "list",
    ast.ListComp: "list",
    ast.Dict: "dict",
    ast.DictComp: "dict",
    ast.Set: "set",
    ast.SetComp: "set",
    ast.Tuple: "tuple",
    ast.JoinedStr: "str",
}
_KIND_WORDS = {"list": "A list", "dict": "A dictionary", "set": "A set", "tuple": "A tuple"}
_KIND_WORDS |= {"str": "A string", "bool": "True or False", "int": "An integer", "float": "A float"}
"""The Returns line for each kind, in words: ``list`` in backticks would name an identifier
the code may not spell, which the faithfulness gate removes."""
_BUILTIN_KINDS = {"isinstance": "bool", "issubclass": "bool", "hasattr": "bool"}
_BUILTIN_KINDS |= {"callable": "bool", "bool": "bool", "len": "int"}


def returned_kind(code: str) -> tuple[str, bool] | None:
    """The built-in kind of value every ``return`` of the function's own body gives, as the
    expressions show it (``[...]``, a comprehension, a name only ever bound to one, ``not``,
    ``in``/``is``, ``isinstance(...)``, ``len(...)``, a literal), and whether some return
    ``None`` (``("list", True)``); None when any return is something else (a call, ``==``, which
    numpy or SQLAlchemy overload), when kinds differ, or when nothing but ``None`` is
    returned. It replaces the filler "The result." only where the code says it."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError):
        return None
    if not tree.body or not isinstance(tree.body[0], ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    func = tree.body[0]
    own = list(_own_nodes(func.body))
    bound: dict[str, list[ast.expr]] = {}
    for node in own:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        bound.setdefault(name.id, []).append(
                            node.value if target is name else ast.Constant(...)
                        )
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For | ast.With | ast.NamedExpr):
            for name in ast.walk(getattr(node, "target", node)):
                if isinstance(name, ast.Name):
                    bound.setdefault(name.id, []).append(ast.Constant(...))
    arguments = func.args
    params = {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
    params |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
    if not func.body or not isinstance(func.body[-1], ast.Return | ast.Raise):
        return None  # it may run off its end and return None: say nothing
    kinds: set[str | None] = set()
    nullable = False
    for node in own:
        if not isinstance(node, ast.Return):
            continue
        if node.value is None or (
            isinstance(node.value, ast.Constant) and node.value.value is None
        ):
            nullable = True
            continue
        kinds.add(_kind(node.value, bound, params | set(bound)))
    if len(kinds) != 1 or None in kinds:
        return None
    (kind,) = kinds
    return str(kind), nullable


def _own_nodes(body: list[ast.stmt]):
    """The nodes of a function body, not those of nested functions, classes or lambdas."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if not isinstance(child, ast.Lambda):
                    stack.append(child)


def _kind(expr: ast.expr, bound: dict[str, list[ast.expr]], local: set[str]) -> str | None:
    if type(expr) in _LITERAL_KINDS:
        return _LITERAL_KINDS[type(expr)]
    if isinstance(expr, ast.Constant) and expr.value is not None and expr.value is not ...:
        return {bool: "bool", str: "str", int: "int", float: "float"}.get(type(expr.value))
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return "bool"
    if isinstance(expr, ast.Compare) and all(
        isinstance(op, ast.In | ast.NotIn | ast.Is | ast.IsNot) for op in expr.ops
    ):
        return "bool"
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
        if expr.func.id not in local:
            return _BUILTIN_KINDS.get(expr.func.id)
    if isinstance(expr, ast.Name) and expr.id in bound:
        kinds = {_kind(value, {}, local) for value in bound[expr.id]}
        return kinds.pop() if len(kinds) == 1 else None
    return None


def _value_description(annotation: str | None, typed: bool, yields: bool = False) -> str:
    """What the value is, from the code only: a neutral line from the annotation, else a
    generic one. Never the summary's object restated ("Get X." -> "X."): a summary borrowed
    from a neighbour can be wrong, and restating it turned one wrong sentence into a false
    claim about the returned value too (the hand audit, docs/audit.md); never words of the
    function's name ("The open.")."""
    if annotation and not typed and len(annotation) <= 40:
        return f"{'Values' if yields else 'The result'} of type ``{annotation}``."
    return "The values." if yields else _GENERIC_RETURN


def build_doc_model(
    symbol: Symbol,
    summary: str,
    code: str,
    style: str,
    describe: Callable[[Parameter], str],
    reasons: dict[str, str] | None = None,
) -> DocModel:
    """Build the docstring content: the summary plus facts taken from the code only.

    Args:
        symbol: The documented symbol.
        summary: The refined one-sentence summary.
        code: The symbol's code without its docstring (for raise conditions).
        style: Target style (decides whether annotations are repeated as types).
        describe: Description for each parameter, from evidence that fits
            (:class:`assistant.param_describer.ParamDescriber`); "" leaves it empty where
            the style allows (else a neutral one is written). A describer with a
            ``returned()`` method also gives the Returns text of a function that passes
            one callee's value through (:mod:`assistant.returnevidence`).
        reasons: Precomputed :func:`raise_descriptions` of ``code`` (None: computed).
    """
    doc = DocModel(summary=summary, symbol_name=symbol.name, kind=symbol.kind)
    if symbol.kind == "class" and symbol.language == "python" and style in _PYTHON_STYLES[:3]:
        doc.attributes = attribute_docs(code, style)
    if symbol.kind not in ("function", "method") or _is_property(symbol):
        return doc
    typed = style in ("numpy", "sphinx", "jsdoc")
    facts = code_facts(symbol, code)
    for param in signature_parameters(symbol):
        bare = param.name.lstrip("*")
        prefix = {"var_positional": "*", "var_keyword": "**"}.get(param.kind, "")
        text = describe(param)
        if text:  # a describer's own text is fitted already; a plain one may not be
            fact = ParamFact(bare, param.kind, param.default, param.annotation)
            text = fits(text, param) or neutral_param_description(fact, style)
        if param.default is not None and style in ("google", "numpy", "sphinx"):
            if len(param.default) <= 40 and not stated_defaults(text):
                if text and text[-1] not in ".!?:":  # a borrowed line may end unstopped
                    text += "."
                text = f"{text} Defaults to ``{param.default}``.".strip()
        doc.params.append(
            ParamDoc(prefix + bare, param.annotation if typed else None, text, param.default)
        )
    annotation = (symbol.returns or "").strip() or None
    if symbol.name == "__init__":
        annotation = None
    elif facts.yields:
        value_type = yielded_type(annotation)
        description = _value_description(value_type, typed, yields=True)
        doc.yields = ValueDoc(value_type if typed else None, description)
    elif facts.returns_value and annotation not in _NO_VALUE:
        description = _value_description(annotation, typed)
        returned = getattr(describe, "returned", None)
        passed = returned() if returned is not None and not annotation else None
        shown = None if annotation or passed else returned_kind(code)
        if passed:  # the callee's own Returns text: the value is the callee's
            description = passed
        elif shown is not None:  # what the return statements show, not "The result."
            kind, nullable = shown
            description = _KIND_WORDS[kind] + (", or None." if nullable else ".")
            if kind == "bool" and nullable:
                description = "True, False or None."
        doc.returns = ValueDoc(annotation if typed else None, description)
    if reasons is None:
        reasons = raise_descriptions(code) if symbol.language == "python" and symbol.raises else {}
    for name in symbol.raises:
        bare = name.split("(")[0].rsplit(".", 1)[-1].strip()
        if bare not in facts.raises:
            continue
        if bare[:1].isupper() and bare not in [r.name for r in doc.raises]:
            doc.raises.append(RaiseDoc(bare, reasons.get(bare, "")))
    return doc
