"""The serving layer through the real server: tiers in the hover footer, the accurate
draft after a fast hover reusing the encoded prompt, warm-up, serving stats, a flood."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.lsp.support import CONFIG, accept_registrations, initialize_params, open_file
from tests.lsp.support import position_of as at

pytestmark = pytest.mark.asyncio


async def hover(client: LanguageClient, uri: str, position: types.Position):
    return await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )


async def stats(client: LanguageClient) -> dict[str, Any]:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="docgen.stats")
    )


async def test_fast_hover_then_generate_docstring_reuses_the_encoded_prompt(
    model_client: LanguageClient, workspace: Path
):
    path = workspace / "inventory" / "reports.py"
    uri = open_file(model_client, path)
    position = at(path, "def restock_plan", offset=6)
    first = await hover(model_client, uri, position)
    assert "Fast draft by" in first.contents.value
    assert "“Generate docstring” drafts the accurate one" in first.contents.value
    result = await model_client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="docgen.generateDocstring",
            arguments=[uri, {"line": position.line, "character": position.character}],
        )
    )
    assert result["applied"] is True
    # the accurate draft is cached now and answers the next hover
    again = await hover(model_client, uri, position)
    assert "Accurate draft by" in again.contents.value
    serving = (await stats(model_client))["serving"]
    assert serving["router"]["decisions"] == {"generate:accurate": 1, "hover:fast": 2}
    assert serving["encoder_cache"]["hits"] == 1  # the accurate draft did not encode again
    assert serving["output_cache"]["hits"] >= 1
    assert sum(serving["batcher"]["batch_sizes"].values()) == serving["batcher"]["batches"] > 0
    assert serving["batcher"]["queue_depth"] == 0
    metrics = (await stats(model_client))["metrics"]
    assert metrics["draft:hover:fast"]["count"] == 1
    assert metrics["draft:hover:accurate"]["count"] == 1
    assert metrics["draft:generate:accurate"]["count"] == 1


@pytest.fixture
def warm_options(model_options: dict[str, Any]) -> dict[str, Any]:
    return {**model_options, "warmUp": True}


@pytest_lsp.fixture(config=CONFIG)
async def warm_client(lsp_client: LanguageClient, workspace: Path, warm_options):
    accept_registrations(lsp_client)
    await lsp_client.initialize_session(initialize_params(workspace, warm_options))
    yield
    await lsp_client.shutdown_session()


async def test_warm_up_runs_in_the_background_and_first_hover_time_is_reported(
    warm_client: LanguageClient, workspace: Path
):
    for _ in range(600):  # initialize was answered before the model was loaded
        warmup = (await stats(warm_client))["serving"]["warmup"]
        if warmup["seconds"] is not None:
            break
        await asyncio.sleep(0.05)
    assert warmup["seconds"] > 0
    assert {"model", "fast", "accurate", "index", "embedder"} <= set(warmup["stages"])
    assert warmup["initialize_to_first_drafted_hover_s"] is None
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(warm_client, path)
    result = await hover(warm_client, uri, at(path, "def cart_total", offset=6))
    assert "docgen draft" in result.contents.value
    after = await stats(warm_client)
    assert after["serving"]["warmup"]["initialize_to_first_drafted_hover_s"] > 0
    assert after["metrics"]["warmup"]["count"] == 1
    # warm-up measured the tiers: the router has per-item costs to estimate waits with
    assert after["serving"]["batcher"]["item_cost_ms"]


async def test_an_opened_file_s_contexts_are_retrieved_ahead_of_its_hovers(
    warm_client: LanguageClient, workspace: Path
):
    for _ in range(600):
        if (await stats(warm_client))["serving"]["warmup"]["seconds"] is not None:
            break
        await asyncio.sleep(0.05)
    path = workspace / "inventory" / "pricing.py"
    open_file(warm_client, path)
    for _ in range(600):  # in the background, after the diagnostics
        after = await stats(warm_client)
        if after["metrics"].get("prefetch", {}).get("count"):
            break
        await asyncio.sleep(0.05)
    assert after["metrics"]["prefetch"]["count"] == 1
    assert after["serving"]["stages_ms"]["prefetch:retrieve"]["count"] >= 1


@pytest.fixture
def flood_options(model_options: dict[str, Any]) -> dict[str, Any]:
    return {**model_options, "hoverBudgetMs": 50}


@pytest_lsp.fixture(config=CONFIG)
async def flood_client(lsp_client: LanguageClient, workspace: Path, flood_options):
    accept_registrations(lsp_client)
    await lsp_client.initialize_session(initialize_params(workspace, flood_options))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.slow
async def test_a_thousand_hovers_in_a_second_are_all_answered_or_cancelled(
    flood_client: LanguageClient, workspace: Path
):
    path = workspace / "inventory" / "models.py"
    uri = open_file(flood_client, path)
    names = ["def low_stock", "def display_name", "def remove_stock", "def transfer_to"]
    positions = [at(path, name, offset=6) for name in names]  # undocumented methods
    before = (await stats(flood_client))["rss_mb"]
    pending = []
    for i in range(1000):
        msg_id = f"flood-{i}"
        params = types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=positions[i % len(positions)],
        )
        pending.append(
            asyncio.ensure_future(
                flood_client.protocol.send_request_async(
                    types.TEXT_DOCUMENT_HOVER, params, msg_id=msg_id
                )
            )
        )
        if i % 5 == 4:  # a fifth are cancelled, as an editor does when the cursor moves
            flood_client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
        if i % 100 == 99:
            await asyncio.sleep(0.1)
    outcomes = await asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), 600)
    answered = [o for o in outcomes if isinstance(o, types.Hover)]
    cancelled = [o for o in outcomes if isinstance(o, JsonRpcException) and o.code == -32800]
    assert len(answered) + len(cancelled) == 1000, [
        o for o in outcomes if not isinstance(o, types.Hover | JsonRpcException)
    ][:3]
    assert len(answered) >= 800
    assert all("docgen draft" in h.contents.value for h in answered)
    after = await stats(flood_client)
    router = after["serving"]["router"]
    assert router["decisions"].get("hover:model-free", 0) > 0  # the flood was shed
    assert sum(router["degradations"].values()) == router["degraded_total"] > 0
    assert after["serving"]["batcher"]["queue_depth"] == 0
    assert after["rss_mb"] < before + 300  # memory bounded
    # the server still answers normally
    assert await hover(flood_client, uri, positions[0]) is not None


async def test_the_file_wide_action_reports_progress_per_draft(
    model_client: LanguageClient, workspace: Path
):
    path = workspace / "inventory" / "reports.py"
    uri = open_file(model_client, path)
    result = await model_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="docgen.documentFile", arguments=[uri])
    )
    assert result["applied"] is True and result["edits"] == 2
    reports = next(
        values
        for values in model_client.progress_reports.values()
        if isinstance(values[0], types.WorkDoneProgressBegin)
        and values[0].title == "docgen: documenting file"
    )
    steps = [v for v in reports if isinstance(v, types.WorkDoneProgressReport)]
    assert [s.message for s in steps] == ["1/2 drafted", "2/2 drafted"]
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    serving = (await stats(model_client))["serving"]
    assert serving["router"]["decisions"] == {"file:accurate": 2}  # bulk priority, accurate


@pytest.fixture
def broken_accurate(model_options: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    broken = tmp_path / "broken-accurate"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    return {**model_options, "accurateModel": str(broken)}


@pytest_lsp.fixture(config=CONFIG)
async def broken_client(lsp_client: LanguageClient, workspace: Path, broken_accurate):
    accept_registrations(lsp_client)

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        return types.ApplyWorkspaceEditResult(applied=True)

    await lsp_client.initialize_session(initialize_params(workspace, broken_accurate))
    yield
    await lsp_client.shutdown_session()


async def test_a_broken_accurate_model_falls_back_to_fast_with_one_message(
    broken_client: LanguageClient, workspace: Path
):
    path = workspace / "inventory" / "reports.py"
    uri = open_file(broken_client, path)
    for name in ("def restock_plan", "def restock_plan"):  # twice: still one message
        position = at(path, name, offset=6)
        result = await broken_client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="docgen.generateDocstring",
                arguments=[uri, {"line": position.line, "character": position.character}],
            )
        )
        assert result["applied"] is True  # drafted by the fast tier
    warnings = [m.message for m in broken_client.messages if "accurate model" in m.message]
    assert len(warnings) == 1 and "broken-accurate" in warnings[0]
    serving = (await stats(broken_client))["serving"]
    assert serving["router"]["degradations"]["generate:accurate->fast (unavailable)"] == 1
