"""The `qa` command: ingest articles, ask questions, serve the web chat."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError

from qa import offline  # noqa: F401
from qa.config import Settings
from qa.errors import QAError

if TYPE_CHECKING:
    from qa.archive import Archive
    from qa.questions import Split
    from qa.types import Answer, IngestReport

DEFAULT_CORPUS = "corpus"


def index_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Index folder [default: QA_INDEX_DIR, else {Settings.default('index_dir')}].",
    )(command)


def settings_for(**options: Any) -> Settings:
    """The environment's settings (QA_*), overridden by the options given."""
    return Settings(**{name: value for name, value in options.items() if value is not None})


def archive_for(**options: Any) -> Archive:
    """An archive with the environment's settings (QA_*), overridden by the options given; the
    model libraries load here, not before."""
    from qa.archive import Archive

    return Archive(settings=settings_for(**options))


def answerer_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--answerer",
        type=click.Choice(["extractive", "llm"]),
        default=None,
        help="extractive (offline, the default) or llm (OpenAI-compatible; QA_ANSWERER).",
    )(command)


class QAGroup(click.Group):
    """Shows a QAError, or a setting that can't be read, as one line on stderr instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QAError as error:
            raise click.ClickException(str(error)) from None
        except ValidationError as error:
            first = error.errors()[0]
            name = str(first["loc"][0]) if first["loc"] else "a setting"
            shown = str(first.get("input"))[:60]
            raise click.ClickException(f"setting {name} (QA_{name.upper()}) is {shown!r}: {first['msg']}") from None


def warnings_to_stderr() -> None:
    """The library's warnings (a cache rebuilt, a read-only index folder) as plain lines on stderr."""
    logger = logging.getLogger("qa")
    logger.handlers[:] = [logging.StreamHandler(sys.stderr)]
    logger.setLevel(logging.WARNING)
    logger.propagate = False


@click.group(cls=QAGroup)
@click.version_option(package_name="qa")
def cli() -> None:
    """Ask questions of a news archive and get answers with citations you can check.

    \b
    qa ingest corpus/              index the articles in corpus/
    qa ask "Who went to Moscow?"   answer from them, citing each sentence
    qa eval evals/seed.jsonl --out reports/seed   score a question set
    qa serve                       web chat, API and MCP on http://127.0.0.1:7860
    qa feeds add URL; qa refresh   follow a news feed

    Everything runs offline (but for the pages and feeds you ask for). Settings come from QA_* environment variables
    (QA_INDEX_DIR, QA_TOP_K, QA_CHUNK_SIZE, ...).
    """
    warnings_to_stderr()


@cli.command()
@click.argument("paths", nargs=-1, metavar="[PATH_OR_URL]...")
@index_option
@click.option("--rebuild", is_flag=True, help="Empty the index first (needed after changing model or chunk settings).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def ingest(paths: tuple[str, ...], index_dir: Path | None, rebuild: bool, quiet: bool) -> None:
    """Index the articles in PATHS (files, folders or article URLs; default: corpus/).

    Supported: .txt and .md (optional YAML front matter), .json (a list of
    records) and .jsonl; an http(s) URL is fetched and its article extracted
    (title, text, date, site name as the outlet, author). Only what changed is
    embedded again; articles whose file is gone from PATHS are removed. A file
    or page that can't be read is skipped with its reason, and the rest is
    ingested.
    """
    started = time.perf_counter()
    archive = archive_for(index_dir=index_dir)
    report = archive.ingest(list(paths) or [Path(DEFAULT_CORPUS)], rebuild=rebuild, progress=not quiet)
    print_report(archive, report, started)


def print_report(archive: Archive, report: IngestReport, started: float) -> None:
    """An ingest's or refresh's problems and counts, then what the index holds."""
    for problem in report.problems:
        click.echo(str(problem), err=True)
    click.echo(report.summary())
    stats = archive.stats()
    click.echo(
        f"index {archive.index.where}: {stats.articles} articles, {stats.chunks} chunks ({time.perf_counter() - started:.1f}s)",
        err=True,
    )


@cli.group()
def feeds() -> None:
    """Follow RSS and Atom feeds: `qa refresh` ingests their new items."""


@feeds.command("add")
@click.argument("url")
@index_option
@click.option(
    "--name", default="", help="The outlet of all the feed's items [default: each page's site name, else the feed's title]."
)
def feeds_add(url: str, index_dir: Path | None, name: str) -> None:
    """Follow the feed at URL."""
    feed = archive_for(index_dir=index_dir).add_feed(url, name)
    click.echo(f"following {feed.url}" + (f" ({feed.name})" if feed.name else "") + "; `qa refresh` reads it")


@feeds.command("list")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the feeds as JSON.")
def feeds_list(index_dir: Path | None, as_json: bool) -> None:
    """The followed feeds, with when and how their last refresh went."""
    followed = archive_for(index_dir=index_dir).feeds()
    if as_json:
        click.echo(json.dumps([feed.to_dict() for feed in followed], ensure_ascii=False, indent=2))
        return
    for feed in followed:
        last = f"{feed.refreshed}: {feed.status}" if feed.refreshed else "not refreshed yet"
        click.echo(f"{feed.url}" + (f"  ({feed.name})" if feed.name else "") + f"  {last}")
    click.echo(f"{len(followed)} feed{'' if len(followed) == 1 else 's'}", err=True)


@feeds.command("remove")
@click.argument("urls", nargs=-1, required=True)
@index_option
def feeds_remove(urls: tuple[str, ...], index_dir: Path | None) -> None:
    """Stop following feeds (the articles read from them stay)."""
    archive = archive_for(index_dir=index_dir)
    unknown = [url for url in urls if not archive.remove_feed(url)]
    for url in unknown:
        click.echo(f"not followed: {url}", err=True)
    click.echo(f"removed {len(urls) - len(unknown)}")
    if unknown:
        raise SystemExit(1)


@cli.command()
@index_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def refresh(index_dir: Path | None, quiet: bool) -> None:
    """Read every followed feed and ingest its new and changed items.

    Prints `added N, updated N, unchanged N, skipped N`, with a line for each
    feed or page that failed (the rest go on). Exits 1 when no feed could be
    read at all.
    """
    started = time.perf_counter()
    archive = archive_for(index_dir=index_dir)
    report = archive.refresh(progress=not quiet)
    print_report(archive, report, started)
    click.echo(f"{report.requests} requests, {report.received / 1024:.0f} KiB received", err=True)
    if report.failed_feeds == report.feeds:
        raise SystemExit(1)


@cli.command("list")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the articles as JSON.")
def list_command(index_dir: Path | None, as_json: bool) -> None:
    """List the indexed articles, newest first: date, outlet, passages (psg), title, id."""
    articles = archive_for(index_dir=index_dir).articles()
    if as_json:
        click.echo(json.dumps([a.to_dict() for a in articles], ensure_ascii=False, indent=2))
        return
    if articles:
        click.echo(f"{'published':10}  {'outlet':24}  {'psg':>3}  {'title':70}  id")
    for a in articles:
        click.echo(f"{a.published or '-':10}  {_cut(a.source or '-', 24):24}  {a.passages:3}  {_cut(a.title, 70):70}  {a.id}")
    click.echo(f"{len(articles)} article{'' if len(articles) == 1 else 's'}", err=True)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@cli.command()
@click.argument("references", nargs=-1, required=True, metavar="ID_OR_PATH...")
@index_option
def remove(references: tuple[str, ...], index_dir: Path | None) -> None:
    """Remove articles from the index, named by id, url or path (as `qa list` shows them).

    An article read from a folder comes back when that folder is ingested
    again while its file is still there; delete the file too. An uploaded
    file is deleted with its articles.
    """
    removal = archive_for(index_dir=index_dir).remove(references)
    for reference in removal.unknown:
        click.echo(f"not in the index: {reference}", err=True)
    click.echo(f"removed {len(removal.removed)}")
    if removal.unknown:
        raise SystemExit(1)


@cli.command()
@click.argument("question")
@index_option
@click.option(
    "--k",
    type=click.IntRange(min=1),
    default=None,
    help=f"Passages to retrieve [default: QA_TOP_K, else {Settings.default('top_k')}].",
)
@click.option("--since", metavar="YYYY-MM-DD", help="Only articles published on or after this day.")
@click.option("--until", metavar="YYYY-MM-DD", help="Only articles published on or before this day.")
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only articles from this outlet (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer and its citations as JSON.")
@click.option("--stream", is_flag=True, help="Print the answer as it is written, then the sources.")
@answerer_option
def ask(
    question: str,
    index_dir: Path | None,
    k: int | None,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    as_json: bool,
    stream: bool,
    answerer: str | None,
) -> None:
    """Answer QUESTION from the indexed articles, citing each claim [n].

    Prints the answer, then the numbered sources with outlet, date and the
    quoted sentence. When no article answers it, says so (exit code 0).
    With --answerer llm (or QA_ANSWERER=llm) an OpenAI-compatible model
    writes the answer: set OPENAI_API_KEY, and OPENAI_BASE_URL and
    QA_LLM_MODEL for another server.
    """
    from qa.types import Filters

    settings = settings_for(index_dir=index_dir, answerer=answerer)
    settings.check_request(question, k)
    Filters.parse({"since": since, "until": until})
    pieces = archive_for(index_dir=index_dir, answerer=answerer).ask_stream(
        question, k=k, since=since, until=until, sources=sources
    )
    told = ""
    for piece in pieces:
        if stream and not as_json:
            if pieces.short and not told:
                told = pieces.short
                click.echo(f"Answer: {told}\n")
            click.echo(piece, nl=False)
    answer = pieces.answer
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    elif stream:
        click.echo("\n".join(["", *([f"Answer: {answer.short}"] if answer.short and not told else []), *_sources(answer)]))
    else:
        click.echo(format_answer(answer))


def format_answer(answer: Answer) -> str:
    """The short answer, the answer, then its sources, for a terminal."""
    lines = [f"Answer: {answer.short}", "", answer.text] if answer.short else [answer.text]
    return "\n".join(lines + _sources(answer))


def _sources(answer: Answer) -> list[str]:
    """The lines of an answer's numbered sources, after a blank line; none without citations."""
    if not answer.citations:
        return []
    lines = ["", "Sources:"]
    for c in answer.citations:
        byline = ", ".join(part for part in (c.source, c.published) if part)
        lines.append(f"[{c.n}] {c.title}" + (f" ({byline})" if byline else ""))
        lines.append(f"    {c.url or c.path}")
        if c.also:
            lines.append(
                "    also carried by "
                + "; ".join(", ".join(p for p in (a.source, a.published, a.url or a.path) if p) for a in c.also)
            )
        lines += [f"    “{quote}”" for quote in c.quotes]
    return lines


@cli.command("eval")
@click.argument("questions_file", metavar="QUESTIONS", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for the report files.")
@click.option(
    "--split",
    type=click.Choice(["dev", "test", "all"]),
    default="all",
    show_default=True,
    help="dev: questions at even positions of the file; test: odd positions.",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N questions.")
@click.option("--type", "types", multiple=True, metavar="T", help="Only questions of this type (repeatable).")
@click.option(
    "--compare",
    "compare_to",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Another run's report.json to print beside this one.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@answerer_option
def eval_command(
    questions_file: Path,
    index_dir: Path | None,
    out: Path,
    split: Split,
    limit: int | None,
    types: tuple[str, ...],
    compare_to: Path | None,
    quiet: bool,
    answerer: str | None,
) -> None:
    """Run a question set against the index and write a report to OUT.

    QUESTIONS is a JSONL question set (see evals/README.md) or MultiHop-RAG's
    MultiHopRAG.json, read as it is. Writes report.json, report.md, chart.png
    and retrieval.json (MultiHop-RAG's own format) and prints the table.
    """
    from qa import evaluation
    from qa.questions import read_questions

    question_set = read_questions(questions_file)
    for problem in question_set.problems:
        click.echo(f"skipped: {questions_file}: {problem}", err=True)
    questions = question_set.select(split, limit, types)
    if not questions:
        raise click.ClickException(f"no questions in {questions_file} match --split {split} --type {' '.join(types) or 'any'}")
    archive = archive_for(index_dir=index_dir, answerer=answerer)
    results, wall_s = evaluation.run(archive, questions, progress=not quiet)
    settings = archive.settings
    report = evaluation.report(
        results,
        wall_s,
        {
            "questions_file": str(questions_file),
            "split": split,
            "limit": limit,
            "types": list(types),
            **settings.describe(),
            "index_dir": str(settings.index_dir),
        },
    )
    evaluation.write(out, results, report)
    click.echo(evaluation.markdown(report))
    if compare_to:
        click.echo(evaluation.compare(report, json.loads(compare_to.read_text())))
    click.echo(f"wrote {out}/report.json, report.md, chart.png, retrieval.json", err=True)


@cli.command()
@index_option
@click.option("--host", default=None, help=f"Address to listen on [default: QA_HOST, else {Settings.default('host')}].")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help=f"Port [default: QA_PORT, else {Settings.default('port')}]."
)
@click.option(
    "--allow-anonymous",
    is_flag=True,
    default=None,
    help="Serve on an address other than loopback without QA_AUTH_TOKEN (QA_ALLOW_ANONYMOUS).",
)
@click.option(
    "--refresh-every", default=None, metavar="DURATION", help="Refresh the feeds in the background, e.g. 30m (QA_REFRESH_EVERY)."
)
def serve(
    index_dir: Path | None, host: str | None, port: int | None, allow_anonymous: bool | None, refresh_every: str | None
) -> None:
    """Serve the web chat, the HTTP API and the MCP server over the index.

    On one port: the chat at /, an OpenAI-compatible API at /v1 (model
    qa), the archive's own API at /api, its docs at /docs, and MCP at /mcp.
    Set QA_AUTH_TOKEN to ask for an access token at login and on every
    API call; it is needed to serve on an address other than loopback.
    """
    from qa.server import serve as run_server

    run_server(
        archive_for(
            index_dir=index_dir, host=host, port=port, allow_anonymous=allow_anonymous or None, refresh_every=refresh_every
        )
    )


@cli.command()
@index_option
def mcp(index_dir: Path | None) -> None:
    """Serve the archive to an MCP client over stdio.

    Tools: search_articles, ask, get_article, list_outlets. An MCP client
    starts it as a command, e.g. `qa mcp --index /path/to/.qa`.
    """
    from qa.mcp_server import build_mcp

    archive = archive_for(index_dir=index_dir)
    archive.stats()
    build_mcp(archive).run("stdio")


def main(args: list[str] | None = None) -> None:
    cli(args, prog_name="qa")


if __name__ == "__main__":
    main()
