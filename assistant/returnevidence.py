"""The Returns line of a pass-through function, from its callee's own documentation.

A function whose every ``return`` gives the value of one call that hands on the function's
own parameters as they are (``return self._process(trigger)`` on each path) returns exactly
what that callee returns for those arguments. When the callee is resolved without
guessing (a method of the same class, a definition of the same file or one reached through
the file's imports: :meth:`assistant.paramevidence.ParamEvidence.resolve_call`) and its
docstring has a Returns section, that section's description is the function's Returns line
instead of the filler "The result.". Over the dataset's training split, of the unannotated
pass-through functions whose callee (same class or same file) documents a Returns text and
that document one themselves, the 50 that forward their own parameters agree with it at
token F1 >= 0.5 in 90.0 % of cases (54.0 % word for word; "The result." 0.6 %), the 271 that
pass a constant or an expression in 74.5 %: a generic callee called with fixed arguments
(grpcio's ``protos_and_services`` -> ``_call_with_lazy_import("protos_and_services", path)``
"The appropriate module object." for a 2-tuple) says something else of its own value
(BENCHMARKS.md, "Ranker and evidence: pass-through Returns, ...").

Nothing is said where the value could differ from the callee's documented one: a call
with any other argument than the function's own parameters, a return that is not that call
(a literal, another call, a bare ``return``), a body that can run off its end, a callee
that is a class, a decorated callee other than ``staticmethod``/``classmethod`` (a
decorator may change what a call returns: ``@contextmanager``), an ``async`` callee whose
coroutine is returned without ``await`` (and a sync one that is awaited), or a Returns text
that names a parameter of the callee the function has none of (:func:`names_other_inputs`).
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from assistant.passing import call_text, parse_function
from assistant.readback import read_back
from assistant.styles import detect_docstring_style

if TYPE_CHECKING:
    from collections.abc import Callable

    from assistant.target import Target
    from indexer.symbols import Symbol

_PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod"})

_TYPE_PREFIX = re.compile(r"^([\w.]+(?:\[[\w.\[\], |]*\])?(?:\s*\|\s*[\w.]+)*)\s*:\s+(\S.*)$", re.S)
"""Google's ``bool: Whether ...``: the type before the description."""


def pass_through(code: str, forwarding: bool = False) -> tuple[str, bool] | None:
    """``(callee, awaited)`` when every ``return`` of the function's own body gives the
    value of a call of the same callee (as written: ``self._process``, ``helper``,
    ``mod.func``), all awaited or none, and the body ends in a ``return`` or ``raise``;
    else None. ``forwarding``: also only when every argument of those calls is one of the
    function's own parameters as it is (``return self._process(trigger)``, ``f(*args,
    key=key)``), not a constant or an expression (see :func:`callee_returns`)."""
    fn = parse_function(code)
    if fn is None or not fn.body or not isinstance(fn.body[-1], ast.Return | ast.Raise):
        return None
    arguments = fn.args
    own = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    own += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    params = {a.arg for a in own} - {"self", "cls"}
    seen: set[tuple[str, bool]] = set()
    nested = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
    stack: list[ast.AST] = list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, nested):
            continue
        if isinstance(node, ast.Return):
            value, awaited = node.value, False
            if isinstance(value, ast.Await):
                value, awaited = value.value, True
            if not isinstance(value, ast.Call):
                return None
            text = call_text(value)
            if text is None or (forwarding and not _forwards(value, params)):
                return None
            seen.add((text, awaited))
            if len(seen) > 1:
                return None
        stack.extend(ast.iter_child_nodes(node))
    return seen.pop() if seen else None


def _forwards(call: ast.Call, params: set[str]) -> bool:
    values = [a.value if isinstance(a, ast.Starred) else a for a in call.args]
    values += [k.value for k in call.keywords]
    return all(isinstance(v, ast.Name) and v.id in params for v in values)


def documented_returns(docstring: str | None) -> str | None:
    """The description of a docstring's Returns section (Google, NumPy, Sphinx, PEP 257;
    a Google entry's leading ``type:`` dropped), as one sentence, or None."""
    if not docstring:
        return None
    style = detect_docstring_style(docstring)
    if style is None:
        return None
    value = read_back(docstring, style).returns
    text = " ".join((value.description if value else "").split())
    match = _TYPE_PREFIX.match(text)
    if match and style in ("google", "pep257"):
        text = match.group(2)
    if not text or not any(c.isalpha() for c in text):
        return None
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


_MARKED = re.compile(r"(?:`+|\*)([A-Za-z_]\w*)(?:`+|\*)")
"""A name set off in the text (````data````, ``:paramref:`array```, ``*events*``)."""


def names_other_inputs(text: str, callee: Symbol, own: Symbol) -> bool:
    """Whether the callee's Returns text names one of the callee's parameters that the
    function has no parameter of that name for (``The same data structure as `data```):
    it speaks of the callee's inputs, which the function may fill with something else."""
    marked = {m.group(1) for m in _MARKED.finditer(text.replace(":paramref:", ""))}
    theirs = {p.name.lstrip("*") for p in callee.parameters} - {"self", "cls"}
    mine = {p.name.lstrip("*") for p in own.parameters}
    return bool(marked & (theirs - mine))


def passes_on(callee: Symbol, awaited: bool) -> bool:
    """Whether calling ``callee`` as the function does gives the value its docstring's
    Returns section speaks of."""
    if callee.kind not in ("function", "method"):
        return False
    if any(d.split("(")[0].strip() not in _PLAIN_DECORATORS for d in callee.decorators):
        return False
    return callee.is_async == awaited


def callee_returns(resolve: Callable[[str, Target], Symbol | None], target: Target) -> str | None:
    """The Returns description of the callee ``target`` passes its value through from, or
    None (see the module's rules); ``resolve`` finds a call's definition
    (:meth:`assistant.paramevidence.ParamEvidence.resolve_call`)."""
    found = pass_through(target.code, forwarding=True)
    if found is None:
        return None
    call, awaited = found
    callee = resolve(call, target)
    if callee is None or callee is target.symbol or not passes_on(callee, awaited):
        return None
    text = documented_returns(callee.docstring)
    if text is None or names_other_inputs(text, callee, target.symbol):
        return None
    return text
