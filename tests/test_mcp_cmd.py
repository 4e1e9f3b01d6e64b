"""``docgen mcp`` as a command: the missing-extra line, option errors, streamable HTTP."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLE

DOCGEN = str(Path(sys.executable).parent / "docgen")
HIDE_MCP = "import sys; sys.modules['mcp'] = None; from docgen import main; sys.exit(main(['mcp']))"


def test_without_the_extra_it_says_how_to_install_it_in_one_line():
    done = subprocess.run([sys.executable, "-c", HIDE_MCP], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr == (
        "docgen: the MCP server needs the 'mcp' extra: pip install 'docgen-assistant[mcp]'\n"
    )
    assert done.stdout == ""


def test_a_bad_port_or_root_is_a_usage_error(tmp_path: Path):
    for args in (["--http", "0"], ["--http", "x"], ["--root", str(tmp_path / "nowhere")]):
        done = subprocess.run([DOCGEN, "mcp", *args], capture_output=True, text=True)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_streamable_http_on_localhost(tmp_path: Path):
    pytest.importorskip("mcp.server.mcpserver")
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    repo = tmp_path / "sample_repo"
    shutil.copytree(SAMPLE, repo, ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
    port = _free_port()
    proc = subprocess.Popen(
        [DOCGEN, "mcp", "--root", str(repo), "--http", str(port)], stderr=subprocess.PIPE
    )

    async def talk() -> tuple[str, dict]:
        async with streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                result = await session.call_tool("check", {"select": ["DG001"]})
                return init.server_info.name, result.structured_content

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.2)
        name, checked = asyncio.run(asyncio.wait_for(talk(), 120))
        assert name == "docgen"
        assert checked["total"] == 22 and checked["findings"][0]["code"] == "DG001"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
