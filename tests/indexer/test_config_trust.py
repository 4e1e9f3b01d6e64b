"""Whose configuration decides what (issue #19 items 1, 4 and 16).

A repository's own ``[tool.docgen]`` may not say where caches live or which models load
(``cache-dir``, ``model``, ``embedding-model``): such keys are dropped with one warning
each, and the user sets them with a flag, an environment variable or the user config file
(``[docgen]`` in ``config.toml``, ``$DOCGEN_CONFIG``). An explicit ``--config FILE`` is
trusted. Unknown keys are named with the closest valid one; broken TOML says where.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from indexer.config import ConfigError, load_tool_config, unknown_key_warnings, user_config_path
from tests.conftest import write_tree

HOSTILE = """[tool.docgen]
cache-dir = "planted-cache"
model = "planted-model"
embedding-model = "emb"
fail-under = 80
"""


@pytest.fixture(autouse=True)
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private user config file (absent until a test writes it)."""
    path = tmp_path / "user" / "config.toml"
    monkeypatch.setenv("DOCGEN_CONFIG", str(path))
    return path


def test_repository_config_cannot_move_caches_or_models(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": HOSTILE})
    table = load_tool_config(repo / "pyproject.toml")
    assert table == {"fail_under": 80}
    assert len(table.warnings) == 3
    by_key = {
        key: next(w for w in table.warnings if f"'{key}'" in w)
        for key in ("cache-dir", "model", "embedding-model")
    }
    assert "--cache-dir" in by_key["cache-dir"] and "DOCGEN_CACHE_DIR" in by_key["cache-dir"]
    assert "--model" in by_key["model"]
    assert "--embedding-model" in by_key["embedding-model"]
    for warning in table.warnings:
        assert str(repo / "pyproject.toml") in warning
        assert str(user_config_path()) in warning and "[docgen]" in warning


def test_cache_path_alias_is_dropped_too(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": '[tool.docgen]\ncache_path = "x"\n'})
    table = load_tool_config(repo / "pyproject.toml")
    assert table == {} and len(table.warnings) == 1


def test_user_config_sets_them_and_the_repository_cannot_override(
    tmp_path: Path, user_config: Path
) -> None:
    write_tree(
        user_config.parent,
        {"config.toml": '[docgen]\nmodel = "/models/mine"\nfail-under = 50\nnum-beams = 2\n'},
    )
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": HOSTILE})
    table = load_tool_config(repo / "pyproject.toml")
    assert table["model"] == "/models/mine"  # the user's, not the repository's
    assert table["fail_under"] == 80  # ordinary keys: the repository's wins over the user's
    assert table["num_beams"] == 2
    assert "cache_dir" not in table and "embedding_model" not in table
    assert load_tool_config(None) == {"model": "/models/mine", "fail_under": 50, "num_beams": 2}


def test_default_user_config_path_is_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("DOCGEN_CONFIG")
    assert user_config_path() == Path(platformdirs.user_config_dir("docgen")) / "config.toml"


def test_explicit_config_file_is_trusted(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": HOSTILE})
    table = load_tool_config(repo / "pyproject.toml", trusted=True)
    assert table["cache_dir"] == "planted-cache" and table["embedding_model"] == "emb"
    assert table.warnings == []


def test_settings_and_index_config_of_a_hostile_repository(tmp_path: Path) -> None:
    from assistant.settings import PipelineSettings
    from indexer.index import IndexConfig

    repo = write_tree(tmp_path / "repo", {"pyproject.toml": HOSTILE})
    table = load_tool_config(repo / "pyproject.toml")
    settings = PipelineSettings.from_tool_config(table)
    assert settings.cache_dir is None and settings.model is None
    assert IndexConfig.from_tool_config(table).embedding_model is None


def test_every_caller_drops_them(tmp_path: Path) -> None:
    # the entry points that read [tool.docgen] on their own: the pipeline's index handle,
    # the language server's index worker and `docgen generate`
    from assistant.index_handle import index_config
    from lsp.index_worker import index_config as worker_config

    repo = write_tree(tmp_path / "repo", {"pyproject.toml": HOSTILE})
    assert index_config(repo, []).embedding_model is None
    assert worker_config(repo).embedding_model is None

    from docgen.generate import settings_for

    settings = settings_for(repo, {}, None, (), True)
    assert settings.cache_dir is None and settings.model is None


def test_cli_explicit_config_is_trusted_and_implicit_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import click

    from docgen._config import config_option

    seen = {}

    @click.command()
    @click.option("--embedding-model", default=None)
    @config_option
    def show(embedding_model):
        seen["model"] = embedding_model

    repo = write_tree(tmp_path / "repo", {"pyproject.toml": HOSTILE})
    monkeypatch.chdir(repo)
    from click.testing import CliRunner

    assert CliRunner().invoke(show, []).exit_code == 0
    assert seen["model"] is None
    assert CliRunner().invoke(show, ["--config", "pyproject.toml"]).exit_code == 0
    assert seen["model"] == "emb"


def test_malformed_user_config_names_the_file(user_config: Path) -> None:
    write_tree(user_config.parent, {"config.toml": "[docgen\n"})
    with pytest.raises(ConfigError, match="config.toml") as info:
        load_tool_config(None)
    assert "not valid TOML" in str(info.value) and "line 1" in str(info.value)


# ------------------------------------------------------------------ item 16: the file itself
def test_malformed_pyproject_says_where(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": '[project]\nname = "x"\nbad =\n'})
    with pytest.raises(ConfigError) as info:
        load_tool_config(repo / "pyproject.toml")
    message = str(info.value)
    assert str(repo / "pyproject.toml") in message
    assert "is not valid TOML" in message
    assert "line 3" in message and "column" in message
    assert "\n" not in message


def test_unknown_keys_name_the_closest_valid_key() -> None:
    assert unknown_key_warnings({"fail-undr": 80}) == [
        "unknown [tool.docgen] key 'fail-undr' (did you mean 'fail-under'?)"
    ]
    assert unknown_key_warnings({"fail_undr": 80}) == [
        "unknown [tool.docgen] key 'fail-undr' (did you mean 'fail-under'?)"
    ]
    assert unknown_key_warnings({"zzzz": 1}) == ["unknown [tool.docgen] key 'zzzz'"]
    assert unknown_key_warnings({"fail-under": 80, "include_private": True, "model": "m"}) == []


def test_known_keys_are_the_real_settings() -> None:
    """The valid keys are exactly the fields of the settings and options dataclasses plus
    the options of the commands that take [tool.docgen] as their defaults."""
    import click

    from assistant.settings import PipelineSettings
    from docgen import cli
    from indexer.config import CHECK_KEYS, CLI_KEYS, INDEX_KEYS, KNOWN_KEYS, PIPELINE_KEYS
    from indexer.coverage import CheckOptions
    from indexer.index import IndexConfig

    assert PIPELINE_KEYS == {f.name for f in dataclasses.fields(PipelineSettings)} | {"cache_path"}
    assert INDEX_KEYS == {f.name for f in dataclasses.fields(IndexConfig)}
    assert CHECK_KEYS == {f.name for f in dataclasses.fields(CheckOptions)}
    ctx = click.Context(cli)
    configurable = set()
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        params = getattr(command, "params", [])
        # The eager --config (docgen._config.config_option) fills the options' defaults from
        # [tool.docgen]; `generate --config` only names the file its settings are read from.
        if any(p.name == "config" and p.is_eager for p in params):
            configurable |= {
                p.name for p in params if isinstance(p, click.Option) and p.name != "config"
            }
    dataclass_keys = (
        PIPELINE_KEYS
        | {f.name for f in dataclasses.fields(IndexConfig)}
        | {f.name for f in dataclasses.fields(CheckOptions)}
    )
    missing = configurable - dataclass_keys - CLI_KEYS
    assert not missing, f"add these command options to indexer.config.CLI_KEYS: {missing}"
    assert KNOWN_KEYS == dataclass_keys | CLI_KEYS


def test_language_server_reports_the_dropped_keys(tmp_path: Path) -> None:
    from lsp.state import DocgenServer

    repo = write_tree(tmp_path / "repo", {"pyproject.toml": HOSTILE})
    server = DocgenServer()
    try:
        messages = server.set_root(repo)
    finally:
        server.shutdown_state()
    assert len(messages) == 3 and all(m.startswith("docgen: ignoring '") for m in messages)
