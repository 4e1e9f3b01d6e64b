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
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.cache import ResultCache, default_cache_dir, result_key
from assistant.context import ContextRetriever
from assistant.conventions import scan_conventions
from assistant.draft import Drafting
from assistant.edits import (
    EditRefused,
    TextEdit,
    apply_edits,
    check_edited,
    plan_comment_insertion,
    plan_python_insertion,
    plan_replacement,
)
from assistant.engine import EngineError, Priority, TextGenerator
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
from assistant.paramevidence import ParamEvidence, describer_for
from assistant.prompt import first_sentence
from assistant.ranker import RankerError
from assistant.results import DocResult, PipelineStats
from assistant.router import ACCURATE, FAST, MODEL_FREE, TIERS, Decision, NoLoad, Router
from assistant.settings import (
    DEFAULT_WRITE_FLOOR,
    PIPELINE_VERSION,
    STYLE_CHOICES,
    PipelineSettings,
)
from assistant.stages import StageTimes
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
from assistant.summaries import (
    Refined,
    Vocabulary,
    choose_summary,
    name_summary,
    named_neighbours,
)
from assistant.target import Target
from indexer.symbols import Parameter, ParsedFile, Symbol

if TYPE_CHECKING:  # heavy to import: only the types are needed here
    from assistant.corpus import Corpus, CorpusHit
    from indexer.embed import Embedder
    from indexer.index import IndexSummary
    from indexer.store import IndexStore

__all__ = [
    "DEFAULT_WRITE_FLOOR",
    "PIPELINE_VERSION",
    "STYLE_CHOICES",
    "DocPipeline",
    "ACCURATE",
    "FAST",
    "MODEL_FREE",
    "TIERS",
    "Decision",
    "DocResult",
    "EditRefused",
    "EngineError",
    "PipelineSettings",
    "PipelineStats",
    "Priority",
    "RankerError",
    "Router",
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


PREFETCH_CHUNK = 8
"""Contexts retrieved (and code embedded) together by :meth:`DocPipeline.prefetch`."""


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
        router: Decides the tier of each request by its kind and the engine's load
            (:mod:`assistant.router`); None: the default table over this pipeline's load.
        accurate_model: A separate, larger T5 for the accurate tier (folder or hub id);
            None: the accurate tier is the main model with ``settings.num_beams`` beams.
        encoder_cache_mb: Encoder cache of interactive drafting, in MB (0: off).
    """

    def __init__(
        self,
        root: Path,
        settings: PipelineSettings | None = None,
        generator: TextGenerator | None = None,
        store: IndexStore | None = None,
        embedder: Embedder | None = None,
        corpus: Corpus | Path | str | None = "default",
        router: Router | None = None,
        accurate_model: str | None = None,
        encoder_cache_mb: float = 64.0,
    ) -> None:
        self.root = Path(root).resolve()
        self.settings = settings or PipelineSettings()
        self.drafting = Drafting(self.settings, generator, accurate_model, encoder_cache_mb)
        self.router = router or Router()
        if isinstance(self.router.load, NoLoad):  # else an injected load (tests)
            self.router.load = self.drafting
        self.router.unavailable = self.drafting.unavailable
        self._lock = threading.RLock()
        self._style: str | None = None if self.settings.style == "auto" else self.settings.style
        self._lexicon: ParamLexicon | None = None
        self._fingerprint: str | None = None
        self._notes: list[str] = []
        self._warm = False  # a request was answered: the lazily loaded parts are loaded
        self.stages = StageTimes()
        """Where requests' time went, per ``kind:stage`` (``docgen.stats``)."""
        self._parses: OrderedDict[tuple[str, str, bytes], ParsedFile] = OrderedDict()
        self._parses_lock = threading.Lock()
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
            corpus if self.settings.corpus else None,
        )
        self.param_evidence = ParamEvidence(
            self.root,
            self.retriever.callee_resolver,
            self.retriever.similar_symbols,
            corpus=self._corpus_neighbours if self.settings.corpus else None,
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
        return list(dict.fromkeys([*notes, *self.drafting.problems]))

    def stats(self) -> PipelineStats:
        """Where this pipeline's time went so far (see :class:`PipelineStats`)."""
        drafting = self.drafting
        return PipelineStats(
            model_loaded=drafting.loaded_generator is not None,
            model_calls=drafting.calls,
            model_seconds=drafting.seconds,
            embedded=self.retriever.embedded,
            embed_seconds=self.retriever.embed_seconds,
            interactive_batches=drafting.batches_run,
        )

    def _corpus_neighbours(self, target: Target) -> list[CorpusHit]:
        """The target's corpus neighbours (parameter evidence, :mod:`assistant.paramevidence`)."""
        return self.retriever.contexts([target])[0].corpus

    def serving_stats(self) -> dict[str, Any]:
        """The serving layer's state for ``docgen.stats``: the router's decisions and
        degradations, the batchers' queue depth and batch-size histogram, the output and
        encoder caches' hit rates."""
        looked = self.cache.hits + self.cache.misses
        return {
            "router": self.router.stats(),
            "stages_ms": self.stages.snapshot(),
            **self.drafting.load(),
            "output_cache": {
                "hits": self.cache.hits,
                "misses": self.cache.misses,
                "hit_rate": round(self.cache.hits / looked, 4) if looked else 0.0,
            },
        }

    def param_source_counts(self) -> dict[str, int]:
        """How many rendered parameter descriptions came from each source so far
        (:data:`assistant.paramevidence.SOURCES`)."""
        return dict(self.param_evidence.counts)

    @property
    def loaded_generator(self) -> TextGenerator | None:
        """The text generator if it is loaded (or was injected), else None; never loads.

        A front end that replaces this pipeline can hand it to the next one."""
        return self.drafting.loaded_generator

    @property
    def generator(self) -> TextGenerator:
        """The text generator, loaded on first use."""
        return self.drafting.generator

    def warm_up(self) -> dict[str, float]:
        """Load what the first request would wait for, and run one dummy generation per
        model tier through the interactive batcher (which also measures their per-item
        cost for the router); return the seconds of each stage. Failures are left for
        the first real request to report."""
        stages: dict[str, float] = {}

        def stage(name: str, fn: Callable[[], object]) -> None:
            started = time.perf_counter()
            try:
                fn()
            except Exception:  # noqa: BLE001 - the first request reports it properly
                pass
            stages[name] = round(time.perf_counter() - started, 4)

        stage("index", lambda: self.index.store())
        stage("embedder", lambda: self.index.embedder().encode(["def warm_up(): pass"]))
        stage("corpus", lambda: self.retriever.corpus)
        stage("style", self._scan_repository)
        stage("model", lambda: self.generator)
        prompt = _WARM_UP_PROMPT
        for tier in (FAST, ACCURATE):
            stage(tier, lambda tier=tier: self.drafting.draft(tier, [prompt], Priority.BULK))
        self._warm = True
        return stages

    def model_fingerprint(self, tier: str = FAST) -> str:
        """Identify the model and its version for cache keys, without loading it.

        The id is the injected generator's ``model_id`` or the configured model (the
        embedded default's folder when None); see :func:`assistant.fingerprint.model_fingerprint`.
        """
        if tier == ACCURATE and self.drafting.model_name(ACCURATE) != self.drafting.model_name(
            FAST
        ):
            s = self.settings
            return model_fingerprint(self.drafting.model_name(ACCURATE), s.backend, s.int8)
        if self._fingerprint is not None:
            return self._fingerprint
        if self.drafting.loaded_generator is not None:
            model = str(getattr(self.drafting.loaded_generator, "model_id", "model"))
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
        """Learn the repository's style and parameter descriptions (once; later calls
        take no lock, so a hover never waits for another request's work)."""
        if self._lexicon is not None:
            return
        with self._lock:
            if self._lexicon is None:
                detected, lexicon = scan_conventions(
                    self.root, self.settings, self.index, self.retriever, self.cache
                )
                self._style = self._style or detected
                self._lexicon = lexicon  # last: the lock-free check above reads it

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

    def prefetch(
        self,
        path: str,
        source: bytes,
        parsed: ParsedFile,
        symbols: list[Symbol],
        between: Callable[[], object] | None = None,
        chunk: int = PREFETCH_CHUNK,
    ) -> int:
        """Retrieve the context of ``symbols`` of a file ahead of the requests that will
        want it (a file opened in the editor: its hovers then find their retrieval in
        the cache), a chunk at a time, embedding each chunk in one batch; ``between`` is
        called before each chunk (the server waits there while editor requests are
        answered). Return how many contexts were retrieved. No model call."""
        targets = [self.target(path, source, symbol, parsed) for symbol in symbols]
        done = 0
        for start in range(0, len(targets), max(1, chunk)):
            if between is not None:
                between()
            part = targets[start : start + chunk]
            with self.stages.timed("prefetch:retrieve"):
                self.retriever.contexts(part)
            done += len(part)
        return done

    def document_symbol(
        self,
        path: str,
        source: bytes,
        symbol: Symbol,
        priority: Priority | None = None,
        kind: str | None = None,
    ) -> DocResult:
        """Draft the documentation of one symbol (cached; interactive by default).

        Args:
            path: Repository-relative path of the file.
            source: The file's current bytes (an editor buffer may differ from disk).
            symbol: The symbol (re-found by qualname in ``source``).
            priority: ``assistant.engine.Priority`` for the batcher; None is interactive.
            kind: A request kind of :data:`assistant.router.ROUTES` (``hover``,
                ``generate``): the router picks the tier from it and the load; None is
                the accurate tier without a budget.
        """
        target = self.target(path, source, symbol)
        if kind is not None:
            return self.document_request(target, kind)
        if priority is None:
            priority = Priority.INTERACTIVE
        return self.document_targets([target], priority)[0]

    def document_request(
        self, target: Target, kind: str, tier: str | None = None, started: float | None = None
    ) -> DocResult:
        """Answer one editor request of ``kind`` for ``target`` on the tier the router
        chooses (``tier``: ask for that one, e.g. the accurate draft after a fast hover).

        A request with a budget is held to it from ``started`` (its ``time.monotonic()``
        when it reached the front end; default now) to its answer: a model answer that
        has not come by the budget less :data:`RENDER_RESERVE_MS` (left for choosing and
        rendering) is given up (cancelled if still queued) and the request answered from
        what is ready, without the model, counted as a degradation ``(deadline)``. The
        first request (or the warm-up) loads the model and the embedder: until one has
        been answered, the budget counts from when the prompt is queued.
        """
        warm = self._warm  # before the first answer the model and embedder load: not held
        started = time.monotonic() if started is None or not warm else started
        elapsed_ms = max(0.0, (time.monotonic() - started) * 1000.0)
        decision = self.router.decide(kind, tier, elapsed_ms)
        if decision.tier != MODEL_FREE:  # loading the model is not the engine's load
            self.drafting.drafter(decision.tier, interactive=True)
        deadline = wait_s = None
        if self.router.degrade and decision.budget_ms is not None:
            budget_s = decision.budget_ms / 1000.0
            if warm:
                deadline = started + max(budget_s / 2, budget_s - RENDER_RESERVE_MS / 1000.0)
            else:  # counted from when the prompt was queued
                wait_s = budget_s
        priority = Priority(decision.priority)
        drafted = self.tiered_summaries(
            [target], priority, None, decision.tier, wait_s, deadline, kind
        )
        self._warm = True
        refined, cached, used = drafted[0]
        with self.stages.timed(f"{kind}:render"):
            result = self.result_for(target, (refined, cached), used)
        if TIERS.index(result.tier) > TIERS.index(decision.tier):  # deadline, broken model
            reason = "deadline" if result.tier == MODEL_FREE else "unavailable"
            self.router.count(Decision(kind, result.tier, decision.tier, None, 0.0, 0), reason)
        return result

    def document_targets(
        self,
        targets: list[Target],
        priority: Priority | None = None,
        progress: Callable[[int], None] | None = None,
        tier: str = ACCURATE,
    ) -> list[DocResult]:
        """Draft the documentation of many targets (model calls batched).

        Args:
            targets: What to document.
            priority: Batcher priority; None calls the generator directly in batches.
            progress: Called with the number of targets finished, as they finish.
            tier: The tier that drafts (:data:`assistant.router.TIERS`).
        """
        return self._document(targets, priority, progress, tier, None)

    def _document(self, targets, priority, progress, tier, wait_s) -> list[DocResult]:
        drafted = self.tiered_summaries(targets, priority, progress, tier, wait_s)
        return [
            self.result_for(t, (refined, cached), used)
            for t, (refined, cached, used) in zip(targets, drafted, strict=True)
        ]

    def summaries(
        self,
        targets: list[Target],
        priority: Priority | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[tuple[Refined, bool]]:
        """Return each target's refined summary (accurate tier) and whether it came from
        the cache."""
        drafted = self.tiered_summaries(targets, priority, progress)
        return [(refined, cached) for refined, cached, _ in drafted]

    def tiered_summaries(
        self,
        targets: list[Target],
        priority: Priority | None = None,
        progress: Callable[[int], None] | None = None,
        tier: str = ACCURATE,
        wait_s: float | None = None,
        deadline: float | None = None,
        kind: str | None = None,
    ) -> list[tuple[Refined, bool, str]]:
        """Return each target's refined summary, whether it came from the cache, and the
        tier that produced it.

        The cache key holds the tier: a fast draft is never served as an accurate one,
        but a cached accurate draft answers a fast (or model-free) request. A model-free
        answer is not cached (it costs nothing). Prompts the model has not answered
        ``wait_s`` seconds after they were queued, or by ``deadline`` (a
        ``time.monotonic()`` value), are answered model-free. ``kind`` names the
        request kind in the stage timings (default ``bulk``).
        """
        # no lock: retrieval is safe on many threads (each has its own index store), and
        # one request's embedding must not hold up the others' (measured: hovers queued
        # here behind the file-wide action's retrieval)
        stage = kind or "bulk"
        with self.stages.timed(f"{stage}:retrieve"):
            contexts = self.retriever.contexts(targets)
        looking = time.perf_counter()
        self.param_evidence.saw_corpus(targets, [c.corpus for c in contexts])
        settings = {**self.settings.output_settings(), "faithfulness": FAITHFULNESS_VERSION}
        lookups = TIERS[: TIERS.index(tier) + 1] if tier != MODEL_FREE else (ACCURATE, FAST)
        out: list[tuple[Refined, bool, str] | None] = [None] * len(targets)
        misses: list[int] = []
        keys: list[dict[str, str]] = []
        for i, (target, ctx) in enumerate(zip(targets, contexts, strict=True)):
            style = self.style_for(target.symbol.language)
            # the prompt names neighbours by bare name; the provenance names their qualnames
            where = {**settings, "neighbours": ctx.evidence.similar_qualnames}
            code = text_sha(target.code)
            keys.append(
                {
                    t: result_key(
                        self.model_fingerprint(t),
                        code,
                        ctx.context_hash,
                        style,
                        {
                            **where,
                            "tier": t,
                        },
                    )  # fmt: skip
                    for t in lookups
                    if t != MODEL_FREE
                }
            )
            for t in lookups:
                hit = self.cache.get(keys[i][t]) if t in keys[i] else None
                if hit is not None and "summary" in hit and "provenance" in hit:
                    cached = _refined_from(hit)
                    cached.evidence = grounding_texts(ctx.evidence)
                    out[i] = (cached, True, t)
                    break
            else:
                misses.append(i)
        self.stages.record(f"{stage}:lookup", time.perf_counter() - looking)
        if progress and len(misses) < len(targets):
            progress(len(targets) - len(misses))
        if misses:
            prompts = [contexts[i].prompt for i in misses]
            if deadline is not None:  # what is left of the request's budget now
                left = max(0.0, deadline - time.monotonic())
                wait_s = left if wait_s is None else min(wait_s, left)
            with self.stages.timed(f"{stage}:model:{tier}"):
                used, candidates = self.drafting.draft(tier, prompts, priority, progress, wait_s)
            choosing = time.perf_counter()
            for i, cands in zip(misses, candidates, strict=True):
                item_tier = used if cands or used == MODEL_FREE else MODEL_FREE
                refined = self._refine(targets[i], contexts[i], cands)
                if item_tier != MODEL_FREE and item_tier in keys[i]:
                    self.cache.set(keys[i][item_tier], {**asdict(refined), "evidence": []})
                refined.evidence = grounding_texts(contexts[i].evidence)
                out[i] = (refined, False, item_tier)
            self.stages.record(f"{stage}:choose", time.perf_counter() - choosing)
        return [item for item in out if item is not None]

    def _refine(self, target: Target, context: Any, cands: list[tuple[str, float]]) -> Refined:
        """Choose and clean one summary among the model's candidates (none: the model-free
        ones: neighbours adapted to the name, the corpus, the name as a sentence)."""
        evidence = grounding_texts(context.evidence)
        grounded = Vocabulary.from_texts([target.code, target.symbol.qualname, *evidence])
        vocab, similar = context.vocabulary, named_neighbours(context.evidence)
        refined = choose_summary(
            cands, vocab, target.symbol, similar, None, grounded, context.corpus
        )
        refined.notes = [*refined.notes, *context.notes]
        if target.symbol.language == "python" and target.symbol.raises:
            refined.raises = raise_descriptions(target.code)
        return refined

    def quick_result(self, target: Target) -> DocResult:
        """The cheapest answer: the name as a sentence, neutral parameter entries, no
        retrieval, no model (model-free; for a server too busy for anything else)."""
        refined = Refined(
            name_summary(target.symbol),
            0.1,
            [],
            ["made from the name alone: the server was too busy to look further"],
            provenance=("name", ""),
        )
        return self.result_for(target, (refined, False), MODEL_FREE, evidence=False)

    def result_for(
        self,
        target: Target,
        refined: tuple[Refined, bool],
        tier: str = ACCURATE,
        evidence: bool = True,
    ) -> DocResult:
        """Render a refined summary as the symbol's docstring, with structure from its code
        (``tier``: the tier that drafted it, reported in the result; ``evidence``: look
        for parameter descriptions in the repository, else neutral ones)."""
        summary, cached = refined
        symbol = target.symbol
        style = self.style_for(symbol.language)
        facts = code_facts(symbol, target.code, summary.evidence)
        evidence_of = self.param_evidence if evidence else None
        describe = describer_for(evidence_of, target, style, facts)
        doc = build_doc_model(symbol, summary.summary, target.code, style, describe, summary.raises)
        # the one gate every drafted docstring passes before it is shown or written
        neutral = lambda fact: neutral_param_description(fact, style)  # noqa: E731
        checked = make_faithful(doc, style, symbol.language, facts, neutral)
        if evidence:
            self.param_evidence.count(
                describe,  # type: ignore[arg-type]
                ((p.bare_name, p.description) for p in checked.doc.params),
            )
        notes = list(summary.notes)
        if tier == MODEL_FREE:
            notes.append(
                "drafted without the model (the engine was busy): a lower-confidence draft"
            )
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
            tier=tier,
            model=self.drafting.model_name(tier),
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
        """Re-find ``symbol`` in ``source`` so spans match the bytes being edited.

        The parse is kept for the next edit planned on the same bytes (a file-wide
        action, "Generate docstring" after "Generate docstring"): parsing a large file
        for every edit was most of the server's Python time under load (measured)."""
        from indexer.parser import parse_source

        key = (path, symbol.language, source)
        with self._parses_lock:
            parsed = self._parses.get(key)
            if parsed is not None:
                self._parses.move_to_end(key)
        if parsed is None:
            parsed = parse_source(source, path, symbol.language)
            with self._parses_lock:
                self._parses[key] = parsed
                while len(self._parses) > _PARSES_KEPT:
                    self._parses.popitem(last=False)
        return next((s for s in parsed.symbols if s.qualname == symbol.qualname), symbol)

    def close(self) -> None:
        """Release the batcher, the cache and the index."""
        self.drafting.close()
        self.cache.close()
        self.index.close()


_PARSES_KEPT = 32
"""Parses of the files edits were last planned on, kept by their bytes (see ``_fresh``)."""

RENDER_RESERVE_MS = 25.0
"""What a budgeted request keeps of its budget for choosing and rendering the summary
once drafting is over (so the answer, not just the draft, comes within the budget)."""

_WARM_UP_PROMPT = (
    "summarize: def read_settings(path, defaults=None): "
    "values = dict(defaults or {}); values.update(json.loads(path.read_text())); return values"
)


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
