"""Typed server options, filled from the client's JSON.

The option names are a contract with the VS Code extension, which maps its ``docgen.*``
settings one-to-one onto them (``docgen.minConfidence`` -> ``minConfidence``):

==================== ============================================== ==============
name                 type                                           default
==================== ============================================== ==============
``model``            str | null (model folder or id)                null (embedded)
``style``            "auto" | "google" | "numpy" | "sphinx" |       "auto"
                     "pep257"
``diagnosticSeverity`` "error" | "warning" | "information" |        "information"
                     "hint" | "off" (missing docstrings)
``staleSeverity``    same set (stale docstrings)                    "warning"
``minConfidence``    float in 0..1                                  0.0
``includePrivate``   bool                                           false
``cachePath``        str | null                                     null (user cache)
``threads``          int >= 1 | null                                null (auto)
``indexOnStartup``   bool                                           true
``corpus``           bool (use the shipped cold-start corpus; a     true
                     project's ``[tool.docgen] corpus = false``
                     turns it off too)
``accurateModel``    str | null (a larger T5 for the accurate tier) null (the model)
``hoverBudgetMs``    number > 0 (a hover's latency budget)          250
``generateBudgetMs`` number > 0 ("Generate docstring"'s budget)     2000
``degradation``      bool (degrade tiers when a budget would be     true
                     missed)
``encoderCacheMb``   number >= 0 (encoder-state reuse; 0: off)      64
``warmUp``           bool (load the model and draft once at start)  true
``engineBackend``    "auto" | "onnx-int8" | "onnx-fp32" |           "auto"
                     "openvino-int8" | "openvino-fp32" |
                     "openvino-bf16" (the T5 engine's runtime path)
==================== ============================================== ==============

Commands (``workspace/executeCommand``): ``docgen.stats``, ``docgen.indexWorkspace``,
``docgen.generateDocstring`` (arguments: uri, position), ``docgen.documentFile``
(arguments: uri). The background indexing progress uses the title ``docgen: indexing``.

Options arrive either flat (``{"style": "google"}``) or nested under a ``docgen`` key
(``{"docgen": {"style": "google"}}``), as VS Code sends settings sections. An invalid
value is reported back as a message and its default is used; unknown keys are ignored.
This module knows nothing about LSP.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

STYLES = ("auto", "google", "numpy", "sphinx", "pep257")
SEVERITIES = ("error", "warning", "information", "hint", "off")

COMMAND_STATS = "docgen.stats"
COMMAND_INDEX_WORKSPACE = "docgen.indexWorkspace"
COMMAND_GENERATE_DOCSTRING = "docgen.generateDocstring"
COMMAND_DOCUMENT_FILE = "docgen.documentFile"
COMMANDS = (
    COMMAND_STATS,
    COMMAND_INDEX_WORKSPACE,
    COMMAND_GENERATE_DOCSTRING,
    COMMAND_DOCUMENT_FILE,
)
PROGRESS_TITLE = "docgen: indexing"


@dataclass(frozen=True)
class ServerOptions:
    """Options of the docgen language server; every field has a default.

    Attributes:
        model: Drafting model folder or id; ``None`` uses the embedded model.
        style: Docstring style to render; ``auto`` follows the repository.
        diagnostic_severity: Severity of "missing docstring" diagnostics, or ``off``.
        stale_severity: Severity of "stale docstring" diagnostics, or ``off``.
        min_confidence: Drafts below this confidence are not offered.
        include_private: Also report and draft ``_private`` symbols.
        cache_path: Folder of the output cache; ``None`` uses the user cache dir.
        threads: CPU threads for the model; ``None`` lets the engine decide.
        index_on_startup: Index the workspace in the background after initialize.
        corpus: Use the shipped cold-start corpus for summaries and parameter descriptions
            (``docgen generate --no-corpus`` turns it off on the command line).
        accurate_model: A larger T5 folder or hub id for the accurate tier; ``None``: the
            drafting model with all its beams.
        hover_budget_ms: Latency budget of a hover's draft (see :mod:`assistant.router`).
        generate_budget_ms: Latency budget of "Generate docstring" and code actions.
        degradation: Degrade to a cheaper tier when the queue would miss a budget.
        encoder_cache_mb: Memory for reused encoder states (0 turns it off).
        warm_up: After ``initialize``, load the model, index and embedder and run one
            dummy generation in the background, so the first hover does not wait.
        engine_backend: The T5 engine's runtime path (``auto``: chosen per CPU; see
            ``docgen model info``).
    """

    model: str | None = None
    style: str = "auto"
    diagnostic_severity: str = "information"
    stale_severity: str = "warning"
    min_confidence: float = 0.0
    include_private: bool = False
    cache_path: str | None = None
    threads: int | None = None
    index_on_startup: bool = True
    corpus: bool = True
    accurate_model: str | None = None
    hover_budget_ms: float = 250.0
    generate_budget_ms: float = 2000.0
    degradation: bool = True
    encoder_cache_mb: float = 64.0
    warm_up: bool = True
    engine_backend: str = "auto"


ENGINE_BACKENDS = (
    "auto",
    "onnx-int8",
    "onnx-fp32",
    "openvino-int8",
    "openvino-fp32",
    "openvino-bf16",
)
"""The engine's ``engine_backend`` values (a test keeps them equal to the engine's)."""

# client JSON name -> dataclass field name
_JSON_NAMES: dict[str, str] = {
    "model": "model",
    "style": "style",
    "diagnosticSeverity": "diagnostic_severity",
    "staleSeverity": "stale_severity",
    "minConfidence": "min_confidence",
    "includePrivate": "include_private",
    "cachePath": "cache_path",
    "threads": "threads",
    "indexOnStartup": "index_on_startup",
    "corpus": "corpus",
    "accurateModel": "accurate_model",
    "hoverBudgetMs": "hover_budget_ms",
    "generateBudgetMs": "generate_budget_ms",
    "degradation": "degradation",
    "encoderCacheMb": "encoder_cache_mb",
    "warmUp": "warm_up",
    "engineBackend": "engine_backend",
}


def _optional_str(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, str):
        return value
    raise ValueError("must be a string or null")


def _choice(choices: tuple[str, ...]):
    def convert(value: Any) -> str:
        if isinstance(value, str) and value.lower() in choices:
            return value.lower()
        raise ValueError(f"must be one of {', '.join(choices)}")

    return convert


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number between 0 and 1")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError("must be between 0 and 1")
    return float(value)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("must be true or false")


def _threads(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("must be a whole number >= 1 or null")
    return value


def _number(minimum: float, inclusive: bool):
    def convert(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number")
        if value < minimum or (not inclusive and value == minimum):
            raise ValueError(f"must be {'>=' if inclusive else '>'} {minimum:g}")
        return float(value)

    return convert


_CONVERTERS = {
    "model": _optional_str,
    "style": _choice(STYLES),
    "diagnostic_severity": _choice(SEVERITIES),
    "stale_severity": _choice(SEVERITIES),
    "min_confidence": _confidence,
    "include_private": _boolean,
    "cache_path": _optional_str,
    "threads": _threads,
    "index_on_startup": _boolean,
    "corpus": _boolean,
    "accurate_model": _optional_str,
    "hover_budget_ms": _number(0.0, inclusive=False),
    "generate_budget_ms": _number(0.0, inclusive=False),
    "degradation": _boolean,
    "encoder_cache_mb": _number(0.0, inclusive=True),
    "warm_up": _boolean,
    "engine_backend": _choice(ENGINE_BACKENDS),
}


def parse_options(raw: Any, base: ServerOptions | None = None) -> tuple[ServerOptions, list[str]]:
    """Build options from the client's JSON, collecting a message per invalid value.

    Args:
        raw: ``initializationOptions`` or a ``didChangeConfiguration`` settings object.
        base: Options to start from (fields absent from ``raw`` keep their value);
            the defaults when ``None``.

    Returns:
        The options, and one human-readable message per rejected value (its default
        was used instead).
    """
    base = base or ServerOptions()
    if raw is None:
        return base, []
    if isinstance(raw, dict) and isinstance(raw.get("docgen"), dict):
        raw = raw["docgen"]
    if not isinstance(raw, dict):
        return base, [f"docgen options must be an object, got {type(raw).__name__}"]
    defaults = ServerOptions()
    changes: dict[str, Any] = {}
    errors: list[str] = []
    for json_name, value in raw.items():
        field_name = _JSON_NAMES.get(json_name)
        if field_name is None:
            continue
        try:
            changes[field_name] = _CONVERTERS[field_name](value)
        except ValueError as exc:
            default = getattr(defaults, field_name)
            errors.append(
                f"docgen: invalid setting {json_name}={value!r} ({exc}); using the "
                f"default {default!r}"
            )
            changes[field_name] = default
    return dataclasses.replace(base, **changes), errors


def options_to_json(options: ServerOptions) -> dict[str, Any]:
    """Return the options under their client JSON names."""
    return {json_name: getattr(options, name) for json_name, name in _JSON_NAMES.items()}
