"""The archive as a Model Context Protocol server (the official `mcp` SDK's MCPServer): tools an
assistant or agent can call to search the news archive, get cited answers, read an article and
see which outlets it holds. `qa mcp` serves it over stdio; `qa serve` mounts it at /mcp
(streamable HTTP). A problem the caller can fix comes back as a tool error with the CLI's
one-line message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from qa.archive import Archive
from qa.errors import QAError, public
from qa.types import SearchOptions

INSTRUCTIONS = (
    "A searchable archive of news articles. Use `ask` for a question you want answered with "
    "citations, `search_articles` to see the passages on a topic yourself, `get_article` to read "
    "one article in full, and `list_outlets` to learn which outlets and dates the archive covers "
    "before filtering by them. Quote and cite what the tools return; the archive knows only its "
    "own articles, so an answer marked refused means it does not hold the answer."
)

Since = Annotated[str | None, Field(description="Only articles published on or after this day, YYYY-MM-DD.")]
Until = Annotated[str | None, Field(description="Only articles published on or before this day, YYYY-MM-DD.")]
Sources = Annotated[list[str] | None, Field(description="Only articles from these outlets, named as list_outlets gives them.")]
READ_ONLY = ToolAnnotations(readOnlyHint=True, openWorldHint=False)


def build_mcp(archive: Archive) -> MCPServer:
    """The MCP server over an archive, its tools bound to it."""
    server = MCPServer("qa-news-archive", instructions=INSTRUCTIONS, version=version("qa"))

    @contextmanager
    def tool_errors() -> Iterator[None]:
        try:
            yield
        except QAError as error:
            raise ToolError(public(error, Path(archive.settings.index_dir))) from None

    def tool(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        """Register a read-only tool, its docstring (on one line) the description the model reads."""
        server.add_tool(function, description=" ".join((function.__doc__ or "").split()), annotations=READ_ONLY)
        return function

    def options(since: str | None, until: str | None, sources: list[str] | None, k: int | None = None) -> SearchOptions:
        return SearchOptions(k=k, since=since, until=until, sources=sources or ())

    @tool
    def search_articles(
        query: Annotated[str, Field(description="What to look for: a question, a name, a topic.")],
        since: Since = None,
        until: Until = None,
        sources: Sources = None,
        k: Annotated[
            int | None, Field(description="How many passages to return (the server's QA_TOP_K by default; at most QA_MAX_K).")
        ] = None,
    ) -> dict[str, Any]:
        """Search the news archive for the passages that best match a query, best first. Each
        passage comes with its article's title, outlet, publication date, url and its text. Use it
        to gather evidence yourself or to find articles on a topic; use `ask` for a direct answer."""
        with tool_errors():
            return archive.retrieve(query, **options(since, until, sources, k)).to_dict()

    @tool
    def ask(
        question: Annotated[str, Field(description="A question about events in the news, in English.")],
        since: Since = None,
        until: Until = None,
        sources: Sources = None,
    ) -> dict[str, Any]:
        """Answer a question from the news archive. Returns a short answer (a name, date or amount
        when the question asks for one), the answer text with [n] markers, and citations n: the
        article's title, outlet, date, url and the quoted sentences that support it. When no article
        answers the question, `refused` is true and `refusal_reason` says why: do not guess then."""
        with tool_errors():
            return archive.ask(question, **options(since, until, sources)).to_dict()

    @tool
    def get_article(
        id: Annotated[str, Field(description="The article's id or url, as search_articles and ask give them.")],
    ) -> dict[str, Any]:
        """Read one article of the archive in full: its title, outlet, publication date, url and
        whole text. Use it when a passage from search_articles or a citation from ask is not enough
        and you need the article's context."""
        with tool_errors():
            found = archive.read(id)
            if found is None:
                raise ToolError(f"no article {id!r} in the archive; search_articles gives the ids")
            return found

    @tool
    def list_outlets() -> dict[str, Any]:
        """The outlets the archive holds articles from, with how many articles each and the first
        and last day it published on: the names the `sources` filter takes."""
        with tool_errors():
            return {"outlets": [o.to_dict() for o in archive.outlets()]}

    return server
