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

:class:`ParamEvidence` finds the related symbols and counts how often each source was used
(:data:`SOURCES`); the rules a borrowed description must pass are in
:mod:`assistant.param_fit`, the describer of one target in :mod:`assistant.param_describer`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.callees import CalleeResolver
from assistant.param_describer import ParamDescriber
from assistant.param_fit import Lender
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
from assistant.styles.build import neutral_param_description
from assistant.styles.docmodel import signature_parameters
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

_MAX_DEPTH = 3  # base classes followed this many levels up


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
