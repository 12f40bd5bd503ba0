"""The MCP server, through the official `mcp` client: over stdio (`qa mcp`, a real subprocess) and
over streamable HTTP (/mcp on the served app). Each tool is listed and called; answers carry
citations; a problem the caller can fix is a tool error, not a crash."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from conftest import SEED_QUESTION
from webapp import serving

QA = str(Path(sys.executable).with_name("qa"))
TOOLS = {"search_articles", "ask", "get_article", "list_outlets"}
TOKEN = "mcp-test-token"


async def exercise(client: Client) -> None:
    """List the tools and call each, as an assistant would."""
    listed = await client.list_tools()
    assert {tool.name for tool in listed.tools} == TOOLS
    assert all(tool.description and "  " not in tool.description for tool in listed.tools)
    assert all(tool.annotations and tool.annotations.read_only_hint for tool in listed.tools)

    outlets = (await client.call_tool("list_outlets", {})).structured_content["outlets"]
    assert {"name": "Coastal Courier", "articles": 1, "first_published": "2024-03-14", "last_published": "2024-03-14"} in outlets

    found = (await client.call_tool("search_articles", {"query": SEED_QUESTION, "k": 3})).structured_content
    assert len(found["passages"]) == 3 and "Witkoff" in found["passages"][0]["text"]

    answer = (await client.call_tool("ask", {"question": SEED_QUESTION})).structured_content
    assert not answer["refused"] and "Witkoff" in answer["answer"] and answer["citations"][0]["quote"]

    narrowed = await client.call_tool("ask", {"question": "How many cables were replaced?", "sources": ["Coastal Courier"]})
    assert "412" in narrowed.structured_content["answer"]

    article = (await client.call_tool("get_article", {"id": "https://courier.example/harbour-bridge"})).structured_content
    assert article["source"] == "Coastal Courier" and "412 corroded cables" in article["text"]

    bad_date = await client.call_tool("ask", {"question": SEED_QUESTION, "since": "last week"})
    assert bad_date.is_error and "since date 'last week' is not YYYY-MM-DD" in bad_date.content[0].text
    unknown = await client.call_tool("get_article", {"id": "no-such-article"})
    assert unknown.is_error and "no article 'no-such-article'" in unknown.content[0].text
    assert not (await client.call_tool("list_outlets", {})).is_error


def run(make: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(asyncio.wait_for(make(), timeout=120))


def test_every_tool_works_over_stdio(seeded):
    async def session() -> None:
        server = StdioServerParameters(command=QA, args=["mcp", "--index", str(seeded.settings.index_dir)])
        async with Client(server) as client:
            await exercise(client)

    run(session)


def test_every_tool_works_over_http_with_the_access_token(seeded):
    async def session(url: str) -> None:
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
            Client(streamable_http_client(url + "mcp", http_client=http)) as client,
        ):
            await exercise(client)

    with serving(seeded, auth_token=TOKEN) as url:
        run(lambda: session(url))
        refused = httpx2.post(url + "mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert refused.status_code == 401


def test_serving_a_folder_with_no_index_exits_at_once_with_the_reason(tmp_path):
    shown = subprocess.run(
        [QA, "mcp", "--index", str(tmp_path / "none")], capture_output=True, text=True, timeout=60, check=False
    )
    assert shown.returncode == 1 and shown.stdout == ""
    assert shown.stderr.strip() == f"Error: no index at {tmp_path / 'none'}; run `qa ingest` first"


@pytest.mark.parametrize("question", ["", "x" * 3000])
def test_a_question_out_of_bounds_is_a_tool_error(seeded, question):
    async def session() -> None:
        async with Client(StdioServerParameters(command=QA, args=["mcp", "--index", str(seeded.settings.index_dir)])) as client:
            result = await client.call_tool("ask", {"question": question})
            assert result.is_error and "question" in result.content[0].text

    run(session)
