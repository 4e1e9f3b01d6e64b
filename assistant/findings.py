"""Findings of ``docgen check``: stable codes for every way a docstring drifts from its code.

A finding says one thing the docstring gets wrong against the code (read with :mod:`ast`,
never run). ``DG001`` is a missing docstring (:mod:`indexer.coverage`), ``DG1xx`` drift of
a function's docstring, ``DG2xx`` of a class's ``Attributes``. The table :data:`CODES`
is the reference (README's table is made from it); ``fixable`` codes are fixed by
``docgen generate --update-stale`` (:func:`assistant.stale.plan_stale_update`).

Rules that keep findings true (and few):

- Only Python docstrings in a style (Google, NumPy, Sphinx) are checked; a docstring that
  documents no parameters makes no claim about them (one-liners are never flooded), and a
  missing Returns/Yields/Raises entry/Attributes entry counts only where the docstring
  already has sections (Returns, Yields) or that very section (Raises, Attributes).
- Overloads, property setters and deleters are not checked; a property's getter only for
  its (absent) parameters.
- Raises: only a direct ``raise Name(...)``/``raise Name`` of the function's own body counts
  (not nested functions); a re-raise (bare ``raise`` or ``raise err`` in ``except E as
  err``) is never required in the docstring, but documenting the handler's ``E`` is fine,
  and after ``except:``/``except Exception:`` + ``raise`` anything may be documented.
  ``NotImplementedError`` never needs documenting. A documented exception raised only by
  the functions it calls is not visible here, so ``DG120`` is not in the default selection.
- A docstring that hands its parameters to another one ("Same as :meth:`x`", "See
  `configure` for the rest of the arguments") is checked only for what it documents
  wrongly, never for what it leaves out; with a ``**kwargs`` a docstring that documents
  keywords it takes documents the ``**kwargs`` too.
- Types: see :mod:`assistant.typematch`; an annotation naming a module-level ``TypeVar``
  is never contradicted.
- Abstract methods and stubs (``...``, ``pass``, ``raise NotImplementedError``) document a
  contract: their Returns and Raises are never findings.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass

from assistant.codefacts import ClassFacts, CodeFacts, class_facts, code_facts
from assistant.styles import detect_docstring_style, find_params, signature_parameters
from assistant.styles.sections import Section, bare_exception, by_kind, sections
from assistant.typematch import mismatch
from indexer.symbols import Parameter, Symbol

__all__ = [
    "CODES",
    "DEFAULT_IGNORED",
    "Finding",
    "class_drift",
    "function_drift",
    "parse_codes",
    "selected",
]

CODES: dict[str, tuple[str, bool]] = {
    "DG001": ("public symbol without a docstring", False),
    "DG101": ("documented parameter is not in the signature", True),
    "DG102": ("parameter is not documented", True),
    "DG103": ("parameters are documented in another order than the signature's", True),
    "DG104": ("`*args`/`**kwargs` documented without (or with other) stars", True),
    "DG105": ("documented parameter was renamed", True),
    "DG110": ("Returns documented, but the function returns no value", False),
    "DG111": ("the function returns a value the docstring's sections do not document", True),
    "DG112": ("a generator documents Returns instead of Yields", False),
    "DG113": ("Yields documented, but the function is not a generator", False),
    "DG114": ("a generator whose docstring's sections do not document Yields", True),
    "DG120": ("documented exception is not raised by the function's own body", False),
    "DG121": ("exception raised by the body is missing from the Raises section", True),
    "DG130": ("documented parameter type contradicts the annotation", True),
    "DG131": ("documented return type contradicts the annotation", False),
    "DG201": ("documented attribute does not exist", True),
    "DG202": ("public attribute missing from the Attributes section", True),
}
"""code -> (meaning, fixable by ``docgen generate --update-stale``)."""

DEFAULT_IGNORED = ("DG001", "DG120")
"""Not reported unless selected: DG001 is the coverage check's own; DG120 cannot see
exceptions raised by the functions called."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding of ``docgen check`` (the shape every report format reads).

    Attributes:
        code: Its stable code (see :data:`CODES`).
        message: One line saying what is wrong.
        path: Repository-relative file path.
        line: 1-based line of the symbol's name.
        column: 1-based column of the symbol's name.
        qualname: The symbol's qualified name.
        fixable: ``docgen generate --update-stale`` fixes it.
    """

    code: str
    message: str
    path: str
    line: int
    column: int
    qualname: str
    fixable: bool

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"

    def to_dict(self) -> dict[str, object]:
        """The finding as JSON-ready data."""
        return {
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "qualname": self.qualname,
            "fixable": self.fixable,
        }


def parse_codes(values: tuple[str, ...] | list[str] | str | None) -> list[str]:
    """``("DG1,DG201", "dg202")`` -> ``["DG1", "DG201", "DG202"]``.

    Raises:
        ValueError: A value is not a prefix of any code.
    """
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out = []
    for value in values:
        for part in str(value).replace(" ", ",").split(","):
            code = part.strip().upper()
            if not code:
                continue
            if code != "ALL" and not any(c.startswith(code) for c in CODES):
                raise ValueError(
                    f"unknown finding code {part.strip()!r} (see `docgen check --help`)"
                )
            out.append(code)
    return out


def selected(code: str, select: list[str], ignore: list[str]) -> bool:
    """Ruff-style selection: the longest matching prefix decides (``ALL`` matches all);
    without ``select`` every code but :data:`DEFAULT_IGNORED` is selected."""

    def best(prefixes: list[str]) -> int:
        lengths = [
            0 if p == "ALL" else len(p) for p in prefixes if p == "ALL" or code.startswith(p)
        ]
        return max(lengths, default=-1)

    chosen = best(select) if select else (-1 if code in DEFAULT_IGNORED else 0)
    return chosen >= 0 and chosen > best(ignore)


class _Sink:
    def __init__(self, symbol: Symbol) -> None:
        self.symbol, self.items = symbol, []
        span = symbol.name_span or symbol.span
        self.line, self.column = span.start_line + 1, span.start_col + 1

    def add(self, code: str, message: str) -> None:
        name = self.symbol.name
        self.items.append(
            Finding(
                code,
                f"{name}: {message}",
                self.symbol.path,
                self.line,
                self.column,
                self.symbol.qualname,
                CODES[code][1],
            )
        )


def _decorated(symbol: Symbol, *names: str) -> bool:
    return any(d.split("(")[0].rsplit(".", 1)[-1] in names for d in symbol.decorators)


_HANDS_OVER = re.compile(
    r"^\s*(?:same as|equivalent to|alias (?:of|for)|shortcut for|wrapper (?:around|for)|like"
    r"|see)\b",
    re.IGNORECASE,
)
_THE_REST = re.compile(
    r"\b(?:rest|remaining|other)\s+(?:of\s+the\s+)?(?:arguments|parameters|args|params"
    r"|keyword arguments)\b",
    re.IGNORECASE,
)
_TYPEVAR = re.compile(
    rb"^(\w+)\s*(?::[^=]*)?=\s*(?:\w+\.)?(?:TypeVar|ParamSpec|TypeVarTuple)\(", re.MULTILINE
)


def type_variables(source: bytes) -> set[str]:
    """The names a module binds to ``TypeVar(...)`` (their annotations are generic)."""
    return {m.group(1).decode() for m in _TYPEVAR.finditer(source)}


def delegates(docstring: str) -> bool:
    """The docstring hands (part of) its documentation to another one."""
    summary = docstring.strip().split("\n", 1)[0]
    return bool(_HANDS_OVER.match(summary) or _THE_REST.search(docstring))


def docstring_style(symbol: Symbol, default_style: str) -> str:
    """The style ``symbol``'s docstring is written in (``default_style`` if it shows none)."""
    return detect_docstring_style(symbol.docstring or "") or default_style


def function_drift(
    symbol: Symbol,
    code: str | None,
    default_style: str = "google",
    typevars: set[str] | frozenset[str] = frozenset(),
) -> list[Finding]:
    """The drift findings (``DG1xx``) of a function's or method's docstring.

    ``code``: the function's source (None: only what the parse recorded is used).
    ``typevars``: the module's ``TypeVar`` names (:func:`type_variables`).
    """
    if (
        symbol.language != "python"
        or symbol.kind not in ("function", "method")
        or not symbol.docstring
        or symbol.is_overload
        or _decorated(symbol, "setter", "deleter")
    ):
        return []
    style = docstring_style(symbol, default_style)
    sink = _Sink(symbol)
    _parameter_drift(sink, symbol, style, typevars)
    if style not in ("google", "numpy", "sphinx") or _decorated(
        symbol, "property", "cached_property", "getter"
    ):
        return sink.items
    found = sections(symbol.docstring.splitlines(), style)
    facts = code_facts(symbol, code or "")
    facts.stub = facts.stub or symbol.is_stub
    contract = facts.stub or _decorated(symbol, "abstractmethod", "abstractproperty")
    if symbol.name != "__init__":
        _value_drift(sink, symbol, found, facts, contract)
    _raises_drift(sink, found, facts, contract)
    return sink.items


def _parameter_drift(sink: _Sink, symbol: Symbol, style: str, typevars) -> None:
    block = find_params(symbol.docstring or "", style)
    if block is None or not block.entries:
        return
    signature = signature_parameters(symbol)
    entries = block.entries
    documented = [e.bare_name for e in entries]
    names = [p.name.lstrip("*") for p in signature]
    added, removed, renamed = compare_parameters(documented, signature)
    for old, new in renamed:
        sink.add("DG105", f"documents `{old}`, renamed `{new}` in the signature")
    if delegates(symbol.docstring or ""):
        added = []
    keywords = [n for n in documented if n not in names]
    for name in added:
        if keywords and kinds_of(signature).get(name) == "var_keyword":
            continue  # it documents the keywords the ``**kwargs`` takes
        sink.add("DG102", f"parameter `{name}` is not documented")
    for name in removed:
        sink.add("DG101", f"documents `{name}`, which is not in the signature")
    if not renamed:
        order = [n for n in documented if n in names]
        if order != [n for n in names if n in order] and len(set(order)) == len(order):
            sink.add("DG103", "parameters are documented in another order than the signature's")
    kinds = {p.name.lstrip("*"): p for p in signature}
    for entry in entries:
        param = kinds.get(entry.bare_name)
        if param is None or style == "sphinx":
            continue  # ``:param args:`` is how Sphinx documents ``*args``
        want = {"var_positional": 1, "var_keyword": 2}.get(param.kind, 0)
        stars = len(entry.name.replace("\\", "")) - len(entry.bare_name)
        if stars != want:
            sink.add("DG104", f"documents `{entry.name}` for `{'*' * want}{entry.bare_name}`")
    for entry in entries:
        param = kinds.get(entry.bare_name)
        if param is None or not entry.type or not param.annotation:
            continue
        if set(re.findall(r"\w+", param.annotation)) & set(typevars):
            continue
        if mismatch(entry.type, param.annotation):
            sink.add(
                "DG130",
                f"`{entry.bare_name}` is documented as `{entry.type}` but annotated "
                f"`{' '.join(param.annotation.split())}`",
            )


def kinds_of(signature: list[Parameter]) -> dict[str, str]:
    """Bare parameter name -> kind."""
    return {p.name.lstrip("*"): p.kind for p in signature}


def compare_parameters(
    documented: list[str], signature: list[Parameter]
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """``(added, removed, renamed)``: undocumented parameters, documented names not in the
    signature, and ``(old, new)`` names documented at the position of a new one. With a
    ``**kwargs`` documented names that are not parameters are keywords it takes."""
    names = [p.name.lstrip("*") for p in signature]
    added = [n for n in names if n not in documented]
    removed = [n for n in dict.fromkeys(documented) if n not in names]
    variadic = {
        p.name.lstrip("*") for p in signature if p.kind in ("var_positional", "var_keyword")
    }
    renamed = []
    for old in list(removed):
        index = documented.index(old)
        new = names[index] if index < len(names) else None
        if new is not None and new in added and new not in variadic:
            renamed.append((old, new))
    if not renamed and len(added) == 1 and len(removed) == 1 and added[0] not in variadic:
        renamed.append((removed[0], added[0]))
    for old, new in renamed:
        removed.remove(old)
        added.remove(new)
    if any(p.kind == "var_keyword" for p in signature):
        removed = []
    return added, removed, renamed


def _value_drift(
    sink: _Sink, symbol: Symbol, found: list[Section], facts: CodeFacts, contract: bool
) -> None:
    returns, yields = by_kind(found, "returns"), by_kind(found, "yields")
    manager = _decorated(symbol, "contextmanager", "asynccontextmanager", "fixture")
    if facts.yields and not manager:
        if returns is not None and yields is None and not facts.returns_value:
            sink.add("DG112", "is a generator: document Yields, not Returns")
        elif yields is None and returns is None and found and not delegates(symbol.docstring or ""):
            sink.add("DG114", "is a generator, but its docstring does not document Yields")
        return
    if yields is not None and not facts.yields and not contract and not manager:
        if not facts.returns_value and not _iterator(facts.annotation):
            sink.add("DG113", "documents Yields, but it is not a generator")
    if returns is not None and not facts.returns_value and not facts.yields and not contract:
        entry = returns.entries[0] if returns.entries else None
        said = " ".join(filter(None, [entry.type, entry.description])) if entry else ""
        if not said.lower().startswith(("none", "nothing", "`none`", "``none``")):
            if facts.annotation in (None, "None"):
                sink.add("DG110", "documents Returns, but it returns no value")
    quiet = delegates(symbol.docstring or "")
    if returns is None and yields is None and found and facts.returns_value and not contract:
        if not quiet:
            sink.add("DG111", "returns a value its docstring's sections do not document")
    if returns is not None and returns.entries and returns.entries[0].type:
        stated = returns.entries[0].type
        if mismatch(stated, facts.annotation):
            sink.add(
                "DG131",
                f"Returns documents `{stated}` but the annotation is "
                f"`{' '.join((facts.annotation or '').split())}`",
            )


def _iterator(annotation: str | None) -> bool:
    return bool(annotation) and any(
        word in annotation for word in ("Iterator", "Iterable", "Generator", "Stream")
    )


def _raises_drift(sink: _Sink, found: list[Section], facts: CodeFacts, contract: bool) -> None:
    section = by_kind(found, "raises")
    if section is None:
        return
    documented = [bare_exception(e.name) for e in section.entries]
    passes_anything = bool(facts.reraised & {"Exception", "BaseException"})
    if not contract and not passes_anything:
        for name in dict.fromkeys(documented):
            if not any(covers(name, raised) for raised in facts.raises):
                sink.add("DG120", f"documents `{name}`, which its own body never raises")
    for name in sorted(facts.raises - facts.reraised):
        if name == "NotImplementedError" or not name[:1].isupper():
            continue
        if not any(covers(doc, name) for doc in documented):
            sink.add("DG121", f"raises `{name}`, which the Raises section does not document")


def covers(documented: str, raised: str) -> bool:
    """``documented`` names ``raised`` or one of its built-in base classes."""
    if documented == raised:
        return True
    doc, exc = getattr(builtins, documented, None), getattr(builtins, raised, None)
    return (
        isinstance(doc, type)
        and isinstance(exc, type)
        and issubclass(doc, BaseException)
        and issubclass(exc, doc)
    )


def class_drift(
    symbol: Symbol,
    code: str | None,
    default_style: str = "google",
    classes: dict[str, str] | None = None,
) -> list[Finding]:
    """The attribute findings (``DG2xx``) of a class docstring with an Attributes section.

    ``classes``: the code of the file's other classes by name (a documented attribute may
    be declared by a base class of the same file); a base class from elsewhere may declare
    any attribute, so then none is reported as gone.
    """
    if symbol.language != "python" or symbol.kind != "class" or not symbol.docstring or not code:
        return []
    style = docstring_style(symbol, default_style)
    section = by_kind(sections(symbol.docstring.splitlines(), style), "attributes")
    facts = class_facts(code)
    if section is None or facts is None:
        return []
    sink = _Sink(symbol)
    documented = [e.name.lstrip("*") for e in section.entries]
    known, complete = inherited(facts, classes or {})
    if complete and not facts.dynamic:
        for name in dict.fromkeys(documented):
            if name not in known:
                sink.add("DG201", f"documents attribute `{name}`, which the class does not define")
    for attr in facts.public:
        if attr.name not in documented:
            sink.add("DG202", f"attribute `{attr.name}` is not in the Attributes section")
    return sink.items


_TRIVIAL_BASES = {"object", "Generic", "Protocol", "ABC", "NamedTuple", "TypedDict"}


def inherited(facts: ClassFacts, classes: dict[str, str], depth: int = 0) -> tuple[set[str], bool]:
    """The names a class and its same-file bases define, and whether every base was seen."""
    known, complete = set(facts.known), True
    for base in facts.bases:
        name = base.split("[", 1)[0]
        if name in _TRIVIAL_BASES or name.endswith(("ABC", "Protocol")) or "metaclass" in base:
            continue
        code = classes.get(name)
        base_facts = class_facts(code) if code and depth < 8 else None
        if base_facts is None:
            complete = False
            continue
        more, whole = inherited(base_facts, classes, depth + 1)
        known |= more
        complete = complete and whole and not base_facts.dynamic
    return known, complete
