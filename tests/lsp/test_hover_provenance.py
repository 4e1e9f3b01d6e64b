"""The hover's footer names where a drafted summary came from, and a draft below the
confidence floor is labelled low confidence, never hidden (issue #12 items 4 and 5)."""

from __future__ import annotations

from assistant.pipeline import DEFAULT_WRITE_FLOOR, DocResult
from lsp.hover import low_confidence_label
from lsp.markdown import GENERATED_MARK, LOW_CONFIDENCE, draft_markdown, provenance_line


def _result(confidence: float, provenance=("model", ""), below_floor=False) -> DocResult:
    return DocResult(
        path="inventory/models.py",
        qualname="Warehouse.remove_stock",
        kind="method",
        line=62,
        summary="Remove units from the warehouse.",
        docstring="Remove units from the warehouse.",
        confidence=confidence,
        below_floor=below_floor,
        provenance=provenance,
    )


def test_the_footer_names_a_repository_neighbour() -> None:
    text = draft_markdown(
        "Remove units from the warehouse.", 0.8, False, ("repo-neighbour", "Warehouse.add_stock")
    )
    assert text.startswith(f"**{GENERATED_MARK}, confidence 0.80)**")
    assert "_Summary adapted from `Warehouse.add_stock` of this repository" in text
    assert LOW_CONFIDENCE not in text


def test_each_source_has_its_footer() -> None:
    assert "shipped corpus" in provenance_line("corpus", "attrs")
    assert "`attrs`" in provenance_line("corpus", "attrs")
    assert "from the name" in provenance_line("name", "")
    assert "drafting model" in provenance_line("model", "")
    assert "future\\_kind" in provenance_line("future_kind", "")  # unknown: shown, escaped


def test_a_draft_below_the_write_floor_is_shown_labelled() -> None:
    weak = _result(DEFAULT_WRITE_FLOOR - 0.01)
    label = low_confidence_label(weak, 0.0)
    assert f"below {DEFAULT_WRITE_FLOOR:.2f}" in label
    text = draft_markdown(weak.summary, weak.confidence, False, weak.provenance, label)
    assert f"**{LOW_CONFIDENCE}**" in text and "Remove units from the warehouse." in text
    assert low_confidence_label(_result(DEFAULT_WRITE_FLOOR), 0.0) == ""


def test_a_draft_below_the_users_min_confidence_says_so() -> None:
    label = low_confidence_label(_result(0.9, below_floor=True), 0.95)
    assert "below your minConfidence 0.95" in label and "not offered as an edit" in label
