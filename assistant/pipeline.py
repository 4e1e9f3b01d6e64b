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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.cache import ResultCache, default_cache_dir
from assistant.context import ContextRetriever
from assistant.conventions import scan_conventions
from assistant.draft import Drafting
from assistant.edit_planning import EditPlanning
from assistant.edits import (
    EditRefused,
    PlannedEdit,
    TextEdit,
    check_together,
)
from assistant.engine import (
    BULK_NICE,
    EngineError,
    Priority,
    TextGenerator,
    lower_thread_priority,
)
from assistant.faithfulness import (
    code_facts,
    make_faithful,
)
from assistant.fingerprint import model_fingerprint
from assistant.index_handle import IndexedFiles, IndexHandle, index_config
from assistant.lexicon import ParamLexicon
from assistant.paramevidence import ParamEvidence, describer_for
from assistant.ranker import RankerError
from assistant.results import DocResult, PipelineStats
from assistant.router import ACCURATE, FAST, MODEL_FREE, TIERS, Decision, NoLoad, Router
from assistant.safe_output import replace_file
from assistant.settings import (
    DEFAULT_WRITE_FLOOR,
    PIPELINE_VERSION,
    STYLE_CHOICES,
    PipelineSettings,
)
from assistant.stages import STAGE_WINDOW, StageTimes, percentile
from assistant.stale import StaleFinding
from assistant.stale import find_stale as _find_stale
from assistant.styles import (
    DEFAULT_STYLE,
    PYTHON_STYLE_NAMES,
    style_for_language,
)
from assistant.styles.build import build_doc_model, neutral_param_description
from assistant.summaries import NAME_CONFIDENCE, Refined
from assistant.target import Target
from assistant.tiers import TieredDocumenting
from indexer.symbols import ParsedFile, Symbol

if TYPE_CHECKING:  # heavy to import: only the types are needed here
    from assistant.corpus import Corpus, CorpusHit
    from indexer.embed import Embedder
    from indexer.index import IndexSummary
    from indexer.store import IndexStore

__all__ = [
    "BULK_NICE",
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
    "PlannedEdit",
    "PipelineSettings",
    "PipelineStats",
    "Priority",
    "RankerError",
    "Router",
    "STAGE_WINDOW",
    "StageTimes",
    "StaleFinding",
    "TextEdit",
    "check_together",
    "find_stale",
    "percentile",
    "lower_thread_priority",
    "replace_file",
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


class DocPipeline(TieredDocumenting, EditPlanning):
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
        interactive_busy: Whether the front end is answering an editor request now
            (its retrieval and rendering too): bulk drafting already under way pauses
            step by step while it is (:class:`assistant.engine.DynamicBatcher`).
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
        interactive_busy: Callable[[], bool] | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self.settings = settings or PipelineSettings()
        self.drafting = Drafting(
            self.settings, generator, accurate_model, encoder_cache_mb, interactive_busy
        )
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

    @property
    def warm(self) -> bool:
        """Whether the lazily loaded parts (model, embedder) are loaded: the warm-up or a
        request has run. Until then budgets do not hold (loading is not load)."""
        return self._warm

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

        stage("index", self.retriever.warm)
        stage("embedder", lambda: self.index.embedder().encode(["def warm_up(): pass"]))
        stage("corpus", lambda: self.retriever.corpus)
        stage("style", self._scan_repository)
        stage("model", lambda: self.generator)
        prompt = _WARM_UP_PROMPT
        for tier in (FAST, ACCURATE):
            # interactive, not bulk: a bulk batch pauses while hovers run, and the first
            # hovers arrive during the warm-up
            stage(tier, lambda tier=tier: self.drafting.draft(tier, [prompt], Priority.INTERACTIVE))
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
        confidence, provenance = summary.confidence, summary.provenance
        if checked.named:  # the drafted summary was false: what is left is the name
            confidence, provenance = min(confidence, NAME_CONFIDENCE), ("name", "")
        floor = self.settings.confidence_floor
        below_floor = confidence < floor
        if below_floor:
            notes.append(
                f"confidence {confidence:.2f} is below the confidence floor "
                f"{floor:.2f}: --write leaves it out (--min-confidence 0 writes every draft)"
            )
        return DocResult(
            path=target.path,
            qualname=symbol.qualname,
            kind=symbol.kind,
            line=symbol.line,
            summary=checked.doc.summary,
            docstring=checked.text,
            confidence=confidence,
            cached=cached,
            flagged=list(summary.flagged),
            notes=notes,
            style=style,
            below_floor=below_floor,
            faithfulness=checked.fixes,
            provenance=provenance,
            tier=tier,
            model=self.drafting.model_name(tier),
        )

    def close(self) -> None:
        """Release the batcher, the cache and the index."""
        self.drafting.close()
        self.cache.close()
        self.index.close()


_WARM_UP_PROMPT = (
    "summarize: def read_settings(path, defaults=None): "
    "values = dict(defaults or {}); values.update(json.loads(path.read_text())); return values"
)
