"""The hover's budget holds once the model is loaded: the first hovers, during the
warm-up, wait for their draft as the pipeline's own budgets let them."""

from __future__ import annotations

from pathlib import Path

from lsp.options import ServerOptions
from lsp.pipeline_service import PipelineService
from lsp.stats import LatencyStats


def test_a_hover_budget_holds_only_once_the_pipeline_is_warm(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("def f(x):\n    return x\n")
    service = PipelineService(tmp_path, LatencyStats())
    try:
        assert service.budget_s("hover") is None  # nothing built yet
        assert not service.pipeline().warm
        assert service.budget_s("hover") is None  # built, the model not loaded
        service.warm_up()
        assert service.pipeline().warm and service.budget_s("hover") == 0.25
        assert service.budget_s("generate") == 2.0
        service.configure(ServerOptions(degradation=False))
        service.warm_up()
        assert service.budget_s("hover") is None  # degradation off: no budget is held
    finally:
        service.close()
