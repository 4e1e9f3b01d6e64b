"""The documentation pipeline: the one public API of the core, which the front ends call.

``DocPipeline`` documents symbols: retrieve context (:mod:`assistant.context`), draft
candidate summaries with the T5 engine (:mod:`assistant.draft`), choose and clean one
against the code and the evidence (:mod:`assistant.summaries`), build the docstring's
structure from the code (:mod:`assistant.styles.build`, parameter prose from
:mod:`assistant.lexicon`), render it in the repository's style (:mod:`assistant.styles`),
cache the results (:mod:`assistant.cache`), and plan safe edits (:mod:`assistant.edits`,
:mod:`assistant.stale`). The front ends (the CLI, bulk runs over paths in
:mod:`assistant.bulk`, the language server) are its clients, never its parts; they import
what they need from this module.

Example::

    pipeline = DocPipeline(Path("repo"), PipelineSettings(style="auto"))
    result = pipeline.document_symbol("pkg/mod.py", source, symbol)
    edit = pipeline.plan_insertion("pkg/mod.py", source, symbol, result)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.cache import ResultCache, default_cache_dir, result_key
from assistant.context import ContextRetriever
from assistant.conventions import scan_conventions
from assistant.draft import Drafter, candidates_config
from assistant.edits import (
    EditRefused,
    TextEdit,
    apply_edits,
    check_edited,
    plan_comment_insertion,
    plan_python_insertion,
    plan_replacement,
)
from assistant.engine import DynamicBatcher, EngineError, Priority, TextGenerator
from assistant.faithfulness import (
    FAITHFULNESS_VERSION,
    ParamFact,
    code_facts,
    grounding_texts,
    make_faithful,
)
from assistant.fingerprint import model_fingerprint, text_sha
from assistant.index_handle import IndexedFiles, IndexHandle, index_config
from assistant.lexicon import ParamLexicon
from assistant.paramevidence import ParamEvidence
from assistant.prompt import first_sentence
from assistant.ranker import RankerError
from assistant.results import DocResult, PipelineStats
from assistant.settings import (
    DEFAULT_WRITE_FLOOR,
    PIPELINE_VERSION,
    STYLE_CHOICES,
    PipelineSettings,
)
from assistant.stale import StaleFinding
from assistant.stale import find_stale as _find_stale
from assistant.stale import plan_stale_update as _plan_stale_update
from assistant.styles import (
    DEFAULT_STYLE,
    PYTHON_STYLE_NAMES,
    python_literal,
    style_for_language,
    wrap_comment,
)
from assistant.styles.build import build_doc_model, neutral_param_description, raise_descriptions
from assistant.summaries import Refined, Vocabulary, choose_summary, named_neighbours
from assistant.target import Target
from indexer.symbols import Parameter, ParsedFile, Symbol

if TYPE_CHECKING:  # heavy to import: only the types are needed here
    from assistant.corpus import Corpus
    from indexer.embed import Embedder
    from indexer.index import IndexSummary
    from indexer.store import IndexStore

__all__ = [
    "DEFAULT_WRITE_FLOOR",
    "PIPELINE_VERSION",
    "STYLE_CHOICES",
    "DocPipeline",
    "DocResult",
    "EditRefused",
    "EngineError",
    "PipelineSettings",
    "PipelineStats",
    "Priority",
    "RankerError",
    "StaleFinding",
    "TextEdit",
    "find_stale",
]


def find_stale(
    parsed_file: ParsedFile,
    style_or_source: str | bytes | None = None,
    default_style: str = DEFAULT_STYLE,
) -> list[StaleFinding]:
    """Return the stale docstrings of a parsed file (no model needed).

    Args:
        parsed_file: The parse of the file.
        style_or_source: A style name used for docstrings that show none, or the file's
            bytes (then returns, raises and attributes are checked against the code).
        default_style: Style assumed for docstrings that show none.
    """
    if isinstance(style_or_source, str) and style_or_source in PYTHON_STYLE_NAMES:
        default_style = style_or_source
    source = style_or_source if isinstance(style_or_source, bytes) else None
    return _find_stale(parsed_file, default_style, source)


class DocPipeline:
    """Documents symbols of the repository at ``root``.

    The model, the index, the batcher and the style scan are set up on first use, so
    creating a pipeline is cheap and a run whose results are all cached never loads the
    model. Methods are thread-safe.

    Args:
        root: Repository root.
        settings: Pipeline settings.
        generator: A ready ``TextGenerator`` (tests, benchmarks); None loads
            ``settings.model`` on first need.
        store: An open ``indexer.store.IndexStore`` used from every thread (tests); None
            opens ``root/.docgen`` per thread if it exists.
        embedder: An ``indexer.embed.Embedder`` for retrieval; None uses the index's.
        corpus: The cold-start corpus (:mod:`assistant.corpus`): ``"default"`` the shipped
            one, a path that file, None none.
    """

    def __init__(
        self,
        root: Path,
        settings: PipelineSettings | None = None,
        generator: TextGenerator | None = None,
        store: IndexStore | None = None,
        embedder: Embedder | None = None,
        corpus: Corpus | Path | str | None = "default",
    ) -> None:
        self.root = Path(root).resolve()
        self.settings = settings or PipelineSettings()
        self._generator = generator
        self._batcher: DynamicBatcher | None = None
        self._drafter: Drafter | None = None
        self._lock = threading.RLock()
        self._model_lock = threading.Lock()
        self._style: str | None = None if self.settings.style == "auto" else self.settings.style
        self._lexicon: ParamLexicon | None = None
        self._fingerprint: str | None = None
        self._notes: list[str] = []
        cache_dir = self.settings.cache_dir or default_cache_dir()
        self.cache = ResultCache(
            cache_dir if self.settings.use_cache else None, self.settings.cache_size
        )
        self._notes.extend(self.cache.warnings)
        self.index = IndexHandle(self.root, index_config(self.root, self._notes), store, embedder)
        self.retriever = ContextRetriever(
            self.root,
            self.index.store,
            self.index.embedder,
            self.cache,
            self.settings.top_k,
            self.settings.max_context_tokens,
            self.index.generation,
            corpus,
        )
        self.param_evidence = ParamEvidence(
            self.root, self.retriever.callee_resolver, self.retriever.similar_symbols
        )

    # --- lazily built parts -------------------------------------------------------------

    @property
    def store(self) -> IndexStore | None:
        """The calling thread's open index store, or None while there is no index."""
        return self.index.store()

    def update_index(self) -> IndexSummary:
        """Bring the repository's index up to date before a bulk run."""
        summary = self.index.update()
        self.retriever.reset()
        return summary

    def indexed_files(self) -> IndexedFiles:
        """The parses the index holds for files it has unchanged (read, not parsed again)."""
        return self.index.indexed_files()

    def notes(self) -> list[str]:
        """Everything the user should know about this pipeline so far, without repeats:
        configuration problems, a missing or unusable index, degraded retrieval, a
        discarded cache."""
        notes = [*self._notes, *self.index.notes, *self.retriever.notes, *self.cache.warnings]
        return list(dict.fromkeys(notes))

    def stats(self) -> PipelineStats:
        """Where this pipeline's time went so far (see :class:`PipelineStats`)."""
        drafter = self._drafter
        return PipelineStats(
            model_loaded=self._generator is not None,
            model_calls=drafter.calls if drafter is not None else 0,
            model_seconds=drafter.seconds if drafter is not None else 0.0,
            embedded=self.retriever.embedded,
            embed_seconds=self.retriever.embed_seconds,
            interactive_batches=self._batcher.batches_run if self._batcher is not None else 0,
        )

    def param_source_counts(self) -> dict[str, int]:
        """How many rendered parameter descriptions came from each source so far
        (:data:`assistant.paramevidence.SOURCES`)."""
        return dict(self.param_evidence.counts)

    @property
    def loaded_generator(self) -> TextGenerator | None:
        """The text generator if it is loaded (or was injected), else None; never loads.

        A front end that replaces this pipeline can hand it to the next one."""
        return self._generator

    @property
    def generator(self) -> TextGenerator:
        """The text generator, loaded on first use."""
        with self._model_lock:
            if self._generator is None:
                from assistant.engine import load_generator

                s = self.settings
                self._generator = load_generator(s.model, s.backend, s.int8, s.threads)
            return self._generator

    def _get_drafter(self, interactive: bool) -> Drafter:
        with self._model_lock:
            if self._drafter is not None and (self._batcher is not None or not interactive):
                return self._drafter
        generator = self.generator
        s = self.settings
        config = candidates_config(s.num_beams, s.max_new_tokens, s.no_repeat_ngram_size)
        with self._model_lock:
            if interactive and self._batcher is None:
                self._batcher = DynamicBatcher(
                    generator, max_batch_size=s.batch_size, max_wait_ms=5
                )
            self._drafter = Drafter(generator, config, s.batch_size, self._batcher)
            return self._drafter

    def model_fingerprint(self) -> str:
        """Identify the model and its version for cache keys, without loading it.

        The id is the injected generator's ``model_id`` or the configured model (the
        embedded default's folder when None); see :func:`assistant.fingerprint.model_fingerprint`.
        """
        if self._fingerprint is not None:
            return self._fingerprint
        if self._generator is not None:
            model = str(getattr(self._generator, "model_id", "model"))
        elif self.settings.model:
            model = str(self.settings.model)
        else:
            from assistant.engine import DEFAULT_MODEL_DIR

            model = str(DEFAULT_MODEL_DIR)
        s = self.settings
        self._fingerprint = model_fingerprint(model, s.backend, s.int8)
        return self._fingerprint

    def style_for(self, language: str) -> str:
        """The style used for ``language``: repository majority for Python when ``auto``."""
        if language != "python":
            return style_for_language(language, DEFAULT_STYLE)
        self._scan_repository()
        return self._style or DEFAULT_STYLE

    def _scan_repository(self) -> None:
        """Learn the repository's style and parameter descriptions (once)."""
        with self._lock:
            if self._lexicon is None:
                detected, self._lexicon = scan_conventions(
                    self.root, self.settings, self.index, self.retriever, self.cache
                )
                self._style = self._style or detected

    @property
    def lexicon(self) -> ParamLexicon:
        """Parameter descriptions already written in the repository."""
        self._scan_repository()
        assert self._lexicon is not None
        return self._lexicon

    # --- documenting --------------------------------------------------------------------

    def target(
        self, path: str, source: bytes, symbol: Symbol, parsed: ParsedFile | None = None
    ) -> Target:
        """Return the :class:`~assistant.target.Target` for ``symbol`` of ``source``."""
        from indexer.parser import parse_source
        from indexer.text import symbol_source

        if parsed is None:
            parsed = parse_source(source, path, symbol.language)
            fresh = next((s for s in parsed.symbols if s.qualname == symbol.qualname), None)
            symbol = fresh or symbol
        return Target(path, source, parsed, symbol, symbol_source(source, symbol))

    def document_symbol(
        self, path: str, source: bytes, symbol: Symbol, priority: Priority | None = None
    ) -> DocResult:
        """Draft the documentation of one symbol (cached; interactive by default).

        Args:
            path: Repository-relative path of the file.
            source: The file's current bytes (an editor buffer may differ from disk).
            symbol: The symbol (re-found by qualname in ``source``).
            priority: ``assistant.engine.Priority`` for the batcher; None is interactive.
        """
        if priority is None:
            priority = Priority.INTERACTIVE
        return self.document_targets([self.target(path, source, symbol)], priority)[0]

    def document_targets(
        self,
        targets: list[Target],
        priority: Priority | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[DocResult]:
        """Draft the documentation of many targets (model calls batched).

        Args:
            targets: What to document.
            priority: Batcher priority; None calls the generator directly in batches.
            progress: Called with the number of targets finished, as they finish.
        """
        refined = self.summaries(targets, priority, progress)
        return [self.result_for(t, r) for t, r in zip(targets, refined, strict=True)]

    def summaries(
        self,
        targets: list[Target],
        priority: Priority | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[tuple[Refined, bool]]:
        """Return each target's refined summary and whether it came from the cache."""
        with self._lock:
            contexts = self.retriever.contexts(targets)
        fingerprint = self.model_fingerprint()
        settings = {**self.settings.output_settings(), "faithfulness": FAITHFULNESS_VERSION}
        out: list[tuple[Refined, bool] | None] = [None] * len(targets)
        misses: list[int] = []
        keys = []
        for i, (target, ctx) in enumerate(zip(targets, contexts, strict=True)):
            style = self.style_for(target.symbol.language)
            # the prompt names neighbours by bare name; the provenance names their qualnames
            where = {**settings, "neighbours": ctx.evidence.similar_qualnames}
            key = result_key(fingerprint, text_sha(target.code), ctx.context_hash, style, where)
            keys.append(key)
            hit = self.cache.get(key)
            if hit is not None and "summary" in hit and "provenance" in hit:
                cached = _refined_from(hit)
                cached.evidence = grounding_texts(ctx.evidence)
                out[i] = (cached, True)
            else:
                misses.append(i)
        if progress and len(misses) < len(targets):
            progress(len(targets) - len(misses))
        if misses:
            drafter = self._get_drafter(interactive=priority is not None)
            prompts = [contexts[i].prompt for i in misses]
            candidates = drafter.draft(prompts, priority, progress)
            for i, cands in zip(misses, candidates, strict=True):
                target, context = targets[i], contexts[i]
                evidence = grounding_texts(context.evidence)
                grounded = Vocabulary.from_texts([target.code, target.symbol.qualname, *evidence])
                vocab, similar = context.vocabulary, named_neighbours(context.evidence)
                refined = choose_summary(
                    cands, vocab, target.symbol, similar, None, grounded, context.corpus
                )
                refined.notes = [*refined.notes, *contexts[i].notes]
                if targets[i].symbol.language == "python" and targets[i].symbol.raises:
                    refined.raises = raise_descriptions(targets[i].code)
                self.cache.set(keys[i], {**asdict(refined), "evidence": []})
                refined.evidence = evidence
                out[i] = (refined, False)
        return [item for item in out if item is not None]

    def result_for(self, target: Target, refined: tuple[Refined, bool]) -> DocResult:
        """Render a refined summary as the symbol's docstring, with structure from its code."""
        summary, cached = refined
        symbol = target.symbol
        style = self.style_for(symbol.language)
        facts = code_facts(symbol, target.code, summary.evidence)
        describe = self.param_evidence.describer(target, style, facts)
        doc = build_doc_model(symbol, summary.summary, target.code, style, describe, summary.raises)
        # the one gate every drafted docstring passes before it is shown or written
        neutral = lambda fact: neutral_param_description(fact, style)  # noqa: E731
        checked = make_faithful(doc, style, symbol.language, facts, neutral)
        self.param_evidence.count(
            describe, ((p.bare_name, p.description) for p in checked.doc.params)
        )
        notes = list(summary.notes)
        if checked.fixes:
            notes.append("removed what the code contradicts: " + "; ".join(checked.fixes))
        floor = self.settings.confidence_floor
        below_floor = summary.confidence < floor
        if below_floor:
            notes.append(
                f"confidence {summary.confidence:.2f} is below the confidence floor "
                f"{floor:.2f}: --write leaves it out (--min-confidence 0 writes every draft)"
            )
        return DocResult(
            path=target.path,
            qualname=symbol.qualname,
            kind=symbol.kind,
            line=symbol.line,
            summary=checked.doc.summary,
            docstring=checked.text,
            confidence=summary.confidence,
            cached=cached,
            flagged=list(summary.flagged),
            notes=notes,
            style=style,
            below_floor=below_floor,
            faithfulness=checked.fixes,
            provenance=summary.provenance,
        )

    # --- edits --------------------------------------------------------------------------

    def insertion_edit(self, source: bytes, symbol: Symbol, result: DocResult) -> TextEdit:
        """Plan the edit inserting ``result`` (no validation; see :meth:`plan_insertion`)."""
        text = result.docstring
        if symbol.language == "python":
            if symbol.doc_span is not None:
                return plan_replacement(
                    source,
                    symbol,
                    lambda indent, nl, quote: python_literal(text, indent, nl, quote),
                )
            return plan_python_insertion(
                source, symbol, lambda indent, nl: python_literal(text, indent, nl)
            )
        return plan_comment_insertion(
            source, symbol, lambda indent, nl: wrap_comment(text, result.style, indent, nl)
        )

    def plan_insertion(
        self, path: str, source: bytes, symbol: Symbol, result: DocResult, strict: bool = False
    ) -> TextEdit:
        """Return the edit that makes ``result`` the docstring of ``symbol``.

        The edit is checked: ``source`` must parse (a file that does not is never
        edited), the edited file too, and it must carry the new docstring on that symbol.

        Raises:
            EditRefused: The file does not parse, the symbol has a docstring by now
                (hand-written prose is never replaced; stale ones go through
                :meth:`plan_stale_update`), or the edit would damage the file or not land
                on the symbol.
        """
        symbol = self._fresh(path, source, symbol)
        if symbol.docstring:
            raise EditRefused(f"{path}: {symbol.qualname} has a docstring now; it is not replaced")
        edit = self.insertion_edit(source, symbol, result)
        edited = apply_edits(source, [edit])
        check_edited(
            source, edited, path, symbol.language, {symbol.qualname: result.docstring}, strict
        )
        return edit

    def stale_edit(
        self, source: bytes, symbol: Symbol, finding: StaleFinding
    ) -> tuple[TextEdit, str]:
        """Plan a stale update without validation: (edit, updated docstring text).

        What it writes is wrapped to the repository's line length (ruff, then black).
        """
        from assistant.line_length import project_line_length
        from indexer.text import symbol_source

        facts = code_facts(symbol, symbol_source(source, symbol))
        evidence = self.param_evidence.describer(
            self.target(symbol.path, source, symbol), finding.style, facts
        )

        def describe(param: Parameter) -> str:  # a stale entry is written without a type
            fact = ParamFact(param.name.lstrip("*"), param.kind, param.default, param.annotation)
            return evidence(param) or neutral_param_description(fact, "sphinx")

        return _plan_stale_update(source, symbol, finding, describe, project_line_length(self.root))

    def plan_stale_update(
        self,
        path: str,
        source: bytes,
        symbol: Symbol,
        finding: StaleFinding,
        priority: Priority | None = None,
        strict: bool = False,
    ) -> TextEdit:
        """Return the edit that brings a stale docstring's parameters up to date.

        Only the parameter entries change; descriptions of parameters that still exist
        (or were renamed) are kept; hand-written prose stays byte for byte. No model call.

        Raises:
            EditRefused: The parameter list cannot be located or the edit would damage
                the file.
        """
        del priority  # structural update: the model is not needed
        symbol = self._fresh(path, source, symbol)
        edit, text = self.stale_edit(source, symbol, finding)
        edited = apply_edits(source, [edit])
        check_edited(source, edited, path, symbol.language, {symbol.qualname: text}, strict)
        return edit

    def stale_result(
        self, path: str, source: bytes, symbol: Symbol, finding: StaleFinding
    ) -> tuple[DocResult, TextEdit]:
        """Return the :class:`DocResult` and edit of a stale update."""
        edit, text = self.stale_edit(source, symbol, finding)
        result = DocResult(
            path=path,
            qualname=symbol.qualname,
            kind=symbol.kind,
            line=symbol.line,
            summary=first_sentence(text),
            docstring=text,
            confidence=1.0,
            notes=[finding.message],
            style=finding.style,
            action="update",
            provenance=("existing", ""),
        )
        return result, edit

    def _fresh(self, path: str, source: bytes, symbol: Symbol) -> Symbol:
        """Re-find ``symbol`` in ``source`` so spans match the bytes being edited."""
        from indexer.parser import parse_source

        parsed = parse_source(source, path, symbol.language)
        return next((s for s in parsed.symbols if s.qualname == symbol.qualname), symbol)

    def close(self) -> None:
        """Release the batcher, the cache and the index."""
        batcher, self._batcher = self._batcher, None
        if batcher is not None:
            batcher.close()
        self.cache.close()
        self.index.close()


def _refined_from(hit: dict[str, Any]) -> Refined:
    return Refined(
        str(hit["summary"]),
        float(hit.get("confidence", 0.0)),
        list(hit.get("flagged", [])),
        list(hit.get("notes", [])),
        hit.get("raises") if isinstance(hit.get("raises"), dict) else None,
        provenance=_provenance_from(hit.get("provenance")),
    )


def _provenance_from(value: Any) -> tuple[str, str]:
    """A cached provenance (JSON has no tuples: a 2-item list) or ``("model", "")``."""
    if isinstance(value, list | tuple) and len(value) == 2:
        return str(value[0]), str(value[1])
    return ("model", "")
