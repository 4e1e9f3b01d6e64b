"""Parameter descriptions from evidence that fits (issue #12 item 2).

A parameter's description is borrowed only from a parameter of the same name in a symbol
*related* to the one being documented, tried in this order (for ``__init__``, its class's
own docstring comes first, counted as ``same-class``):

1. ``override``: the same method of a base class (bases read from the class statement,
   resolved in the same file, through the file's imports, or through the index);
2. ``callee``: a function the parameter is passed to, as ``f(name)`` in the position of a
   parameter called ``name`` or as ``f(name=name)`` (the call resolved to a definition of
   the same class, the same file or the file's imports, never by bare name alone);
3. ``wrapper``: a function whose body calls this one passing the parameter the same way;
4. ``same-class``: another method of the same class with that parameter;
5. ``neighbour``: a similar documented symbol of the index with similarity at least
   :data:`NEIGHBOUR_THRESHOLD`;
6. ``corpus``: a neighbour from the shipped cold-start corpus (:mod:`assistant.corpus`)
   with similarity at least :data:`CORPUS_THRESHOLD`, last, below every source of the
   repository; only where the corpus knows its parameter's kind, annotation and default,
   and more strictly (:func:`corpus_fits`): it may name no identifier outside the code and
   its repository evidence and say nothing of ``None`` for a parameter that cannot be
   ``None``.

A borrowed description must also fit: the two parameters' annotations agree (or one has
none), both are required or both have the same default, the kinds agree (``*args``,
``**kwargs``), and the text states no other default, no "optional" for a required
parameter and no identifier the code and its evidence do not name
(:func:`assistant.styles.build.fits`). Otherwise the description is neutral, made from the
parameter's name and annotation only (:func:`assistant.styles.build.neutral_param_description`),
or empty where the style allows it (NumPy with a type). Nothing is ever borrowed by name
from anywhere in the repository (click's ``Context.get_parameter_source`` once got
``name: The name of the group command.``).

:class:`ParamEvidence` counts how often each source was used (:data:`SOURCES`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.callees import CalleeResolver
from assistant.passing import (
    bases,
    call_text,
    calls_target,
    own_calls,
    parse_function,
    passed_on,
    same_named,
)
from assistant.prompt import callee_key
from assistant.styles import detect_docstring_style
from assistant.styles import find_params as find_doc_params
from assistant.styles.build import fits, neutral_param_description
from assistant.styles.docmodel import signature_parameters
from assistant.summaries import split_identifier
from assistant.target import Target
from indexer.symbols import Parameter, ParsedFile, Symbol
from indexer.text import symbol_source

if TYPE_CHECKING:
    from assistant.corpus import CorpusHit
    from assistant.faithfulness import CodeFacts
    from assistant.similar import SimilarSymbols

SOURCES = (
    "override",
    "callee",
    "wrapper",
    "same-class",
    "neighbour",
    "corpus",
    "neutral",
    "empty",
)
"""Where a documented parameter's description came from (the keys of the counts)."""

NEIGHBOUR_THRESHOLD = 0.8
"""Least cosine similarity (MiniLM over ``indexer.embed.embedding_text``) of a similar
symbol whose parameter descriptions may be borrowed, fitted on the 10 validation packages
by ``benchmarks/param_threshold_fit.py`` (the lowest threshold above which every 0.05 bin
reaches 90% precision): of a top-3 neighbour's compatible same-name parameters, 95% in
[0.8, 0.85) and 96% above 0.8 say what the function's own docstring says (token F1 >= 0.5;
1,403 of 2,292 pairs), 84% in [0.75, 0.8), 82% in [0.7, 0.75); borrowing by name alone from
any function of the package, 63%."""

CORPUS_THRESHOLD = 0.9
"""Least cosine similarity (the corpus's quantized MiniLM vectors, over the same text as
the index) of a corpus neighbour whose parameter descriptions may be borrowed, fitted on
the 10 validation packages by ``benchmarks/param_threshold_fit.py --corpus`` with the rule
of :data:`NEIGHBOUR_THRESHOLD` (every 0.05 bin above it reaches 90 % precision, token F1 >=
0.5 against the function's own description). Corpus descriptions are right far less often
than a repository neighbour's: of the 79 top-3 corpus pairs that pass every other rule,
17 % overall, 43 % at >= 0.8 (7 pairs), 50 % at >= 0.85 (4), the one pair at >= 0.9 right;
so the corpus lends rarely, and only near-copies of the code."""

_ORDER = ("class", "override", "callee", "wrapper", "same-class", "neighbour", "corpus")
"""The order sources are tried in: ``class`` is the class docstring of an ``__init__``
(counted as ``same-class``)."""

_MAX_DEPTH = 3  # base classes followed this many levels up


_LOOSE = frozenset({"same-class", "neighbour", "corpus"})
"""Lenders related by place or likeness only: their descriptions may speak of what the
lending function does (a callee, a wrapper or an overridden method does what ours does)."""


def names_the_donor(text: str, donor: str, own: str, param: str = "") -> bool:
    """Whether a borrowed description speaks of the lending function's own action: it holds
    a word of the lender's name (or a form of it: ``removed`` for ``remove``) that the
    target's name lacks. ``remove_transition``'s "The trigger of the transition to be
    removed." is false for ``trigger_event``; ``get_state``'s "Name of the state." is fine
    for ``set_state``. Words of the parameter's own name (``param``) never count."""
    mine = set(split_identifier(own)) | set(split_identifier(param))
    theirs = [w for w in set(split_identifier(donor)) - mine if len(w) >= 3]
    if not theirs:
        return False
    words = set(split_identifier(text))
    return any(_form_of(word, w) for word in words for w in theirs)


def _form_of(word: str, base: str) -> bool:
    """``removed``/``removes``/``removal`` of ``remove``, ``adds``/``added`` of ``add``
    (not ``address``), ``transitions`` of ``transition``."""
    if len(base) <= 3:
        doubled = base + base[-1]
        return word in (base, base + "s", base + "ed", base + "ing", base + "er") or word in (
            doubled + "ed",
            doubled + "ing",
        )
    stem = base[:-1] if base.endswith("e") else base
    return word.startswith(stem) and len(word) - len(stem) <= 4


def _norm_type(text: str | None) -> str:
    out = "".join((text or "").split()).strip("\"'")
    return re.sub(r"(?<![\w.])(?:typing|t|collections\.abc)\.", "", out)


def compatible(ours: Parameter, theirs: Parameter) -> bool:
    """Whether ``theirs`` (a related symbol's parameter of the same name) is the same kind
    of value as ``ours``: same kind of star, annotations that agree (or one missing), both
    required or both defaulting to the same value."""
    from assistant.defaults import same_value

    stars = {"var_positional": 1, "var_keyword": 2}
    if stars.get(ours.kind, 0) != stars.get(theirs.kind, 0):
        return False
    if ours.annotation and theirs.annotation:
        if _norm_type(ours.annotation) != _norm_type(theirs.annotation):
            return False
    if (ours.default is None) != (theirs.default is None):
        return False
    if ours.default is not None and theirs.default is not None:
        return same_value(theirs.default, ours.default)
    return True


_NONE = re.compile(r"\bNone\b")
_NONE_TYPES = re.compile(r"\b(?:None|Optional|Any|object)\b")


def may_be_none(param: Parameter) -> bool:
    """Whether the code lets ``param`` be ``None``: its default is ``None`` or its
    annotation admits it (``X | None``, ``Optional[X]``, ``Any``)."""
    if param.default is not None and param.default.strip() == "None":
        return True
    return bool(param.annotation and _NONE_TYPES.search(param.annotation))


def corpus_fits(text: str, param: Parameter, facts: CodeFacts | None) -> str | None:
    """A corpus description as it may describe ``param`` (:func:`fits`, identifiers
    checked against the code and its repository evidence), or None: also refused when it
    speaks of ``None`` ("If None, ...") for a parameter the code does not let be ``None``,
    or when there are no code facts to check it against."""
    if facts is None or not text:
        return None
    if _NONE.search(text) and not may_be_none(param):
        return None
    return fits(text, param, facts)


def corpus_parameter(hit: CorpusHit, name: str) -> Parameter | None:
    """The corpus function's parameter ``name`` as its code has it (kind, annotation,
    default), or None when the corpus does not know it."""
    row = hit.signatures.get(name)
    if not isinstance(row, list | tuple) or len(row) != 3:
        return None
    kind, annotation, default = row
    if not isinstance(kind, str):
        return None
    as_text = lambda v: None if v is None else str(v)  # noqa: E731
    return Parameter(name, kind, as_text(annotation), as_text(default))


def documented_params(symbol: Symbol) -> dict[str, str]:
    """The parameter descriptions ``symbol``'s own docstring gives, by bare name."""
    text = symbol.docstring
    style = detect_docstring_style(text) if text else None
    block = find_doc_params(text, style) if text and style else None
    return {e.bare_name: e.description for e in (block.entries if block else []) if e.description}


@dataclass(slots=True)
class Lender:
    """A related documented symbol and which of the target's parameters it may describe."""

    source: str
    symbol: Symbol | None
    params: set[str] | None = None  # None: any parameter of the same name
    detail: str = ""
    hit: CorpusHit | None = None  # a corpus neighbour (then ``symbol`` is None)


@dataclass(slots=True)
class Described:
    """Where one parameter's description came from."""

    source: str
    detail: str
    text: str


@dataclass
class ParamDescriber:
    """Describes the parameters of one target from its related symbols (lazily, in
    :data:`SOURCES` order); ``chosen`` records where each description came from."""

    evidence: ParamEvidence
    target: Target
    style: str
    facts: CodeFacts | None = None
    chosen: dict[str, Described] = field(default_factory=dict)
    _lenders: dict[str, list[Lender]] = field(default_factory=dict)

    def __call__(self, param: Parameter) -> str:
        from assistant.faithfulness import ParamFact

        bare = param.name.lstrip("*")
        for step in _ORDER:
            for lender in self._lenders_for(step):
                if lender.params is not None and bare not in lender.params:
                    continue
                try:
                    text = self._borrow(param, lender)
                except Exception:  # noqa: BLE001 - an unreadable lender lends nothing
                    text = None
                if text:
                    self.chosen[bare] = Described(lender.source, lender.detail, text)
                    return text
        fact = ParamFact(bare, param.kind, param.default, param.annotation)
        text = neutral_param_description(fact, self.style)
        self.chosen[bare] = Described("neutral" if text else "empty", "", text)
        return text

    def returned(self) -> str | None:
        """The Returns text of the callee the target passes its value through from
        (:func:`assistant.returnevidence.callee_returns`), or None."""
        from assistant.returnevidence import callee_returns

        try:
            return callee_returns(self.evidence.resolve_call, self.target)
        except Exception:  # noqa: BLE001 - unreadable evidence says nothing
            return None

    def _lenders_for(self, source: str) -> list[Lender]:
        if source not in self._lenders:
            finder = {
                "class": self.evidence.own_class,
                "override": self.evidence.overridden,
                "callee": self.evidence.callees,
                "wrapper": self.evidence.wrappers,
                "same-class": self.evidence.same_class,
                "neighbour": self.evidence.neighbours,
                "corpus": self.evidence.corpus_neighbours,
            }[source]
            try:
                self._lenders[source] = list(finder(self.target))
            except Exception:  # noqa: BLE001 - evidence degrades to a neutral line
                self._lenders[source] = []
        return self._lenders[source]

    def _borrow(self, param: Parameter, lender: Lender) -> str | None:
        bare = param.name.lstrip("*")
        if lender.hit is not None:
            theirs_here = corpus_parameter(lender.hit, bare)
            if theirs_here is None or not compatible(param, theirs_here):
                return None
            text = lender.hit.params.get(bare, "")
            donor = lender.hit.name.rpartition(".")[2]
            if names_the_donor(text, donor, self.target.symbol.name, bare):
                return None
            return corpus_fits(text, param, self.facts)
        if lender.symbol is None or lender.symbol is self.target.symbol:
            return None
        own = self.target.symbol
        if lender.symbol.kind == "class":  # a class docstring documents its constructor only
            is_own = own.name == "__init__" and lender.symbol.qualname == own.parent
            theirs: Parameter | None = param if is_own and lender.symbol.path == own.path else None
        else:
            theirs = next((p for p in lender.symbol.parameters if p.name.lstrip("*") == bare), None)
        if theirs is None or not compatible(param, theirs):
            return None
        text = documented_params(lender.symbol).get(bare)
        loose = lender.source in _LOOSE and lender.symbol.kind != "class"  # not its own class
        if text and loose and names_the_donor(text, lender.symbol.name, own.name, bare):
            return None
        if text and lender.source == "same-class" and self._left_out_by_namesakes(lender, bare):
            return None
        return fits(text, param, self.facts) if text else None

    def _left_out_by_namesakes(self, lender: Lender, bare: str) -> bool:
        """Whether a sibling whose name starts with another word than the target's
        (``is_state`` for ``remove_model``) lends a parameter that a documented method of
        the target's own name in another class (``AsyncMachine.remove_model``) leaves
        undescribed. Over the dataset's training split such a sibling's line agrees with
        the function's own (token F1 >= 0.5) in 74.8 % of 4,551 pairs (validation 88.8 %
        of 98), against 82.0 % (98.0 %) where no such method exists and 90.8 % (94.9 %)
        where it describes the parameter (BENCHMARKS.md, "Ranker and evidence:
        pass-through Returns, ...")."""
        own = self.target.symbol
        if lender.symbol is None or lender.symbol.kind != "method" or not own.parent:
            return False  # a class docstring documents its own constructor
        if split_identifier(lender.symbol.name)[:1] == split_identifier(own.name)[:1]:
            return False
        namesakes = [
            s
            for s in self.evidence.resolver.documented_methods(own.name)
            if s.parent != own.parent or s.path != own.path
        ]
        return bool(namesakes) and all(bare not in documented_params(s) for s in namesakes)


class ParamEvidence:
    """Finds the symbols related to a target and counts which sources describe parameters.

    Args:
        root: Repository root (related files are read only from inside it).
        resolver: The retriever's :class:`~assistant.callees.CalleeResolver` (the index's
            documented definitions).
        similar: The retriever's :class:`~assistant.similar.SimilarSymbols` (None: no
            neighbours).
        threshold: Least similarity of a neighbour that may lend descriptions.
        corpus: Returns a target's corpus neighbours, most similar first (None: no
            corpus evidence; ``docgen generate --no-corpus``).
        corpus_threshold: Least similarity of a corpus neighbour that may lend them.
    """

    def __init__(
        self,
        root: Path,
        resolver: CalleeResolver,
        similar: SimilarSymbols | None = None,
        threshold: float = NEIGHBOUR_THRESHOLD,
        corpus: Callable[[Target], list[CorpusHit]] | None = None,
        corpus_threshold: float = CORPUS_THRESHOLD,
    ) -> None:
        self.root = Path(root).resolve()
        self.resolver = resolver
        self.similar = similar
        self.threshold = threshold
        self.corpus = corpus
        self.corpus_threshold = corpus_threshold
        self._corpus_seen: dict[tuple[str, str, str], list[CorpusHit]] = {}
        self.counts: Counter[str] = Counter({s: 0 for s in SOURCES})
        self._parsed: dict[str, tuple[tuple[int, int], tuple[bytes, ParsedFile] | None]] = {}

    def describer(
        self, target: Target, style: str, facts: CodeFacts | None = None
    ) -> ParamDescriber:
        """A describer of ``target``'s parameters (see :class:`ParamDescriber`)."""
        return ParamDescriber(self, target, style, facts)

    def count(self, describer: ParamDescriber, documented: Iterator[tuple[str, str]]) -> None:
        """Count the sources of the descriptions finally shown: ``documented`` gives
        (bare name, description) of each rendered parameter; one the check replaced counts
        as neutral."""
        for bare, text in documented:
            chosen = describer.chosen.get(bare)
            if chosen is None:
                continue
            if (chosen.text and not text.startswith(chosen.text)) or (
                chosen.source == "empty" and text
            ):
                self.counts["neutral"] += 1  # replaced by the check, or a default stated
            else:
                self.counts[chosen.source] += 1

    def reset(self) -> None:
        """Forget parsed files (call after the repository changed)."""
        self._parsed = {}

    def saw_corpus(self, targets: list[Target], hits: list[list[CorpusHit]]) -> None:
        """Remember the corpus neighbours retrieval found for ``targets`` (so rendering
        their parameters does not retrieve them again)."""
        if self.corpus is None:
            return
        if len(self._corpus_seen) > 4096:
            self._corpus_seen.clear()
        for target, found in zip(targets, hits, strict=True):
            self._corpus_seen[(target.path, target.symbol.qualname, target.code)] = found

    # --- reading related files ----------------------------------------------------------

    def _file(self, rel: str) -> tuple[bytes, ParsedFile] | None:
        """The bytes and parse of a repository file (inside the root only; parsed again
        when the file changed on disk)."""
        from indexer.parser import SkipFile, parse_source, read_source
        from indexer.walker import inside

        real = inside(self.root / rel, self.root)
        try:
            stat = real.stat() if real is not None else None
        except OSError:
            stat = None
        if stat is None:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._parsed.get(rel)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        found = None
        try:
            data = read_source(real)  # type: ignore[arg-type]
            found = (data, parse_source(data, rel, "python"))
        except (SkipFile, OSError, ValueError):
            found = None
        if len(self._parsed) > 256:
            self._parsed.clear()
        self._parsed[rel] = (stamp, found)
        return found

    def _module_file(self, module: str) -> str | None:
        base = module.replace(".", "/")
        for rel in (
            f"{base}.py",
            f"{base}/__init__.py",
            f"src/{base}.py",
            f"src/{base}/__init__.py",
        ):
            if self._file(rel) is not None:
                return rel
        return None

    # --- the sources --------------------------------------------------------------------

    def callees(self, target: Target) -> Iterator[Lender]:
        """Definitions the target's body passes a parameter to under the same name."""
        fn = parse_function(target.code)
        if fn is None:
            return
        names = {p.name.lstrip("*") for p in target.symbol.parameters}
        local = {s.qualname: s for s in target.parsed.symbols if s.kind != "module"}
        for call in own_calls(fn):
            text = call_text(call)
            if not text or callee_key(text) == target.symbol.name:
                continue
            passed = passed_on(call, names)
            if not passed:
                continue
            callee = self._resolve(text, target, local)
            if callee is None or not callee.docstring:
                continue
            if callee.kind == "class":
                init = local.get(f"{callee.qualname}.__init__")
                if init is None or init.path != callee.path:
                    continue
                callee = init
            ok = same_named(passed, signature_parameters(callee))
            if ok:
                yield Lender("callee", callee, ok, callee.qualname)

    def resolve_call(self, call: str, target: Target) -> Symbol | None:
        """The definition a call of the target's body (``self.x``, ``f``, ``mod.f``) reaches,
        resolved without guessing by bare name (see :meth:`_resolve`), or None."""
        local = {s.qualname: s for s in target.parsed.symbols if s.kind != "module"}
        return self._resolve(call, target, local)

    def _resolve(self, call: str, target: Target, local: dict[str, Symbol]) -> Symbol | None:
        """A call resolved without guessing by bare name: a method of the same class, a
        definition of the same file, or one reached through the file's imports."""
        symbol = target.symbol
        head, _, rest = call.partition(".")
        if head in ("self", "cls") and rest and "." not in rest and symbol.parent:
            return local.get(f"{symbol.parent}.{rest}")
        if call in local:
            return local[call]
        imported = target.parsed.imports.get(head)
        if imported:
            return self._find_dotted(f"{imported}.{rest}" if rest else imported)
        return None

    def _find_dotted(self, dotted: str) -> Symbol | None:
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module, qualname = ".".join(parts[:cut]), ".".join(parts[cut:])
            rel = self._module_file(module)
            if rel is None:
                continue
            found = self._file(rel)
            if found is not None:
                for s in found[1].symbols:
                    if s.qualname == qualname:
                        return s
        return None

    def wrappers(self, target: Target) -> Iterator[Lender]:
        """Documented functions whose body calls the target passing a parameter under the
        same name (same file, or other files of the index through their imports)."""
        from indexer.text import module_name

        symbol = target.symbol
        candidates: list[tuple[Symbol, str, bytes]] = []
        for s in target.parsed.symbols:
            if s.docstring and s.kind in ("function", "method") and s is not symbol:
                if any(callee_key(c) == symbol.name for c in s.calls):
                    candidates.append((s, target.path, target.source))
        for s in self.resolver.documented_callers(symbol.name):
            if s.path != target.path and s.language == "python":
                candidates.append((s, s.path, b""))
        own = module_name(target.path)
        params = signature_parameters(symbol)
        for caller, rel, source in candidates:
            if rel != target.path:
                found = self._file(rel)
                if found is None:
                    continue
                source, parsed = found
                caller = next((s for s in parsed.symbols if s.qualname == caller.qualname), None)
                if caller is None or not caller.docstring:
                    continue
            else:
                parsed = target.parsed
            fn = parse_function(symbol_source(source, caller))
            if fn is None:
                continue
            names = {p.name.lstrip("*") for p in caller.parameters}
            ok: set[str] = set()
            for call in own_calls(fn):
                text = call_text(call)
                if not text or not calls_target(
                    text, caller, parsed, symbol, rel == target.path, own
                ):
                    continue
                ok |= same_named(passed_on(call, names), params)
            if ok:
                yield Lender("wrapper", caller, ok, caller.qualname)

    def own_class(self, target: Target) -> Iterator[Lender]:
        """For ``__init__``: its class, whose docstring documents the constructor's
        parameters (click, rich and numpy-style projects write them there)."""
        symbol = target.symbol
        if symbol.name != "__init__" or not symbol.parent:
            return
        for s in target.parsed.symbols:
            if s.qualname == symbol.parent and s.kind == "class" and s.docstring:
                yield Lender("same-class", s, None, s.qualname)

    def same_class(self, target: Target) -> Iterator[Lender]:
        """The other documented methods of the target's class."""
        symbol = target.symbol
        if symbol.kind != "method" or not symbol.parent:
            return
        for s in target.parsed.symbols:
            if s.parent == symbol.parent and s.kind == "method" and s.docstring and s is not symbol:
                if s.qualname != symbol.qualname:
                    yield Lender("same-class", s, None, s.qualname)

    def overridden(self, target: Target) -> Iterator[Lender]:
        """The same method of the target's base classes (nearest first)."""
        symbol = target.symbol
        if symbol.kind != "method" or not symbol.parent:
            return
        seen: set[tuple[str, str]] = set()
        todo = [(target.path, target.source, target.parsed, symbol.parent, 0)]
        while todo:
            rel, source, parsed, class_qualname, depth = todo.pop(0)
            cls = next((s for s in parsed.symbols if s.qualname == class_qualname), None)
            if cls is None or cls.kind != "class" or depth >= _MAX_DEPTH:
                continue
            for base in bases(source, cls):
                found = self._class(base, rel, source, parsed)
                if found is None or (found[0], found[3]) in seen:
                    continue
                seen.add((found[0], found[3]))
                base_rel, base_source, base_parsed, base_qualname = found
                method = next(
                    (
                        s
                        for s in base_parsed.symbols
                        if s.qualname == f"{base_qualname}.{symbol.name}"
                    ),
                    None,
                )
                if method is not None and method.docstring:
                    yield Lender("override", method, None, method.qualname)
                todo.append((base_rel, base_source, base_parsed, base_qualname, depth + 1))

    def _class(
        self, base: str, rel: str, source: bytes, parsed: ParsedFile
    ) -> tuple[str, bytes, ParsedFile, str] | None:
        for s in parsed.symbols:
            if s.kind == "class" and s.qualname == base:
                return rel, source, parsed, base
        head, _, rest = base.partition(".")
        imported = parsed.imports.get(head)
        if not imported:
            return None
        parts = (f"{imported}.{rest}" if rest else imported).split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module, qualname = ".".join(parts[:cut]), ".".join(parts[cut:])
            found_rel = self._module_file(module)
            found = self._file(found_rel) if found_rel else None
            if found is not None and any(
                s.kind == "class" and s.qualname == qualname for s in found[1].symbols
            ):
                return found_rel, found[0], found[1], qualname  # type: ignore[return-value]
        return None

    def neighbours(self, target: Target) -> Iterator[Lender]:
        """Similar documented symbols of the index at or above the threshold."""
        if self.similar is None:
            return
        for symbol, score in self.similar.scored(target):
            if score >= self.threshold:
                yield Lender("neighbour", symbol, None, f"{symbol.qualname} ({score:.2f})")

    def corpus_neighbours(self, target: Target) -> Iterator[Lender]:
        """Corpus neighbours of the target at or above the corpus threshold (Python only:
        the corpus holds Python functions)."""
        if self.corpus is None or target.symbol.language != "python":
            return
        hits = self._corpus_seen.get((target.path, target.symbol.qualname, target.code))
        for hit in self.corpus(target) if hits is None else hits:
            if hit.similarity >= self.corpus_threshold and hit.params:
                detail = f"{hit.package}:{hit.name} ({hit.similarity:.2f})"
                yield Lender("corpus", None, None, detail, hit)


def describer_for(
    evidence: ParamEvidence | None, target: Target, style: str, facts: CodeFacts | None
) -> Callable[[Parameter], str]:
    """``evidence``'s describer of ``target``, or a neutral one without evidence."""
    if evidence is not None:
        return evidence.describer(target, style, facts)
    from assistant.faithfulness import ParamFact

    return lambda p: neutral_param_description(
        ParamFact(p.name.lstrip("*"), p.kind, p.default, p.annotation), style
    )
