"""What the pipeline hands back: the per-symbol :class:`DocResult` (and its JSON contract)
and the run-wide :class:`PipelineStats`.

Re-exported by :mod:`assistant.pipeline`, the front ends' one public module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.styles import DEFAULT_STYLE


@dataclass
class DocResult:
    """The documentation drafted for one symbol.

    Attributes:
        path: Repository-relative file path.
        qualname: Qualified name of the symbol.
        kind: ``function``, ``method``, ``class`` or ``module``.
        line: 1-based line of the symbol's name.
        summary: The one-sentence summary.
        docstring: The rendered docstring (no quotes, no indentation, no comment markers).
        confidence: 0..1; how well the summary is supported (1.0 for structural updates).
        cached: The summary came from the cache (the model was not called).
        flagged: Words removed because they name identifiers found nowhere.
        notes: Anything the user should know about this result.
        style: The style it was rendered in.
        action: ``insert`` (missing docstring) or ``update`` (stale docstring).
        below_floor: The confidence is below the pipeline's ``min_confidence``: the
            result is reported but never written or offered as an edit. The pipeline
            decides this in one place (``DocPipeline.result_for``); callers only read it.
        faithfulness: What the faithfulness check (:mod:`assistant.faithfulness`) removed
            from the draft because the code contradicts it, one line each (empty: the
            draft was faithful as drafted). In the JSON records only when not empty.
        provenance: Where the summary came from, ``(source, detail)``: ``model`` (the
            drafting model's beams), ``repo-neighbour`` (detail: the qualified name of the
            similar documented symbol of the repository whose summary was adapted),
            ``corpus`` (detail: the package of the shipped-corpus entry), ``name`` (the
            name as a sentence), or ``existing`` for an ``update`` (the docstring's own
            summary; only its parameters changed).
        tier: The tier that drafted it (:mod:`assistant.router`): ``accurate`` (the
            default: all beams and the ranker), ``fast`` (2 beams, short; the hover's), or
            ``model-free`` (no model call: the load would have missed the request's
            budget; a neighbour adapted to the name, the corpus or the name).
        model: The model the tier ran ("" for model-free).
    """

    path: str
    qualname: str
    kind: str
    line: int
    summary: str
    docstring: str
    confidence: float
    cached: bool = False
    flagged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    style: str = DEFAULT_STYLE
    action: str = "insert"
    below_floor: bool = False
    faithfulness: list[str] = field(default_factory=list)
    provenance: tuple[str, str] = ("model", "")
    tier: str = "accurate"
    model: str = ""

    def to_json(self) -> dict[str, Any]:
        """The fields of the ``docgen generate --format json`` contract, exactly
        (``faithfulness`` only when the check removed something; ``provenance`` as
        ``{"source": ..., "detail": ...}``; ``tier`` the tier that drafted it)."""
        record: dict[str, Any] = {
            "path": self.path,
            "qualname": self.qualname,
            "kind": self.kind,
            "line": self.line,
            "summary": self.summary,
            "docstring": self.docstring,
            "confidence": round(float(self.confidence), 4),
            "cached": bool(self.cached),
            "provenance": {"source": self.provenance[0], "detail": self.provenance[1]},
            "tier": self.tier,
        }
        if self.faithfulness:
            record["faithfulness"] = list(self.faithfulness)
        return record

    def to_dict(self) -> dict[str, Any]:
        """All fields (for tools that want the notes too)."""
        return asdict(self)


@dataclass(frozen=True)
class PipelineStats:
    """Where a pipeline's time went so far (for benchmarks and status reports).

    Attributes:
        model_loaded: The text generator is loaded (or was injected).
        model_calls: Direct ``generate`` calls of bulk drafting.
        model_seconds: Wall time spent waiting for the model.
        embedded: Texts embedded for retrieval because the index had no vector for them.
        embed_seconds: Wall time spent embedding them.
        interactive_batches: Batches the dynamic batcher ran for interactive requests.
    """

    model_loaded: bool
    model_calls: int
    model_seconds: float
    embedded: int
    embed_seconds: float
    interactive_batches: int = 0
