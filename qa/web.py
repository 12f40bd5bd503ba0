"""The web chat: Gradio UI over an Archive. Layout and events only; the work is the qa API's."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import gradio as gr
from gradio.events import api

from qa.archive import Archive
from qa.chat import Conversation
from qa.config import UPLOADS
from qa.corpus import SUPPORTED_SUFFIXES
from qa.errors import QAError, public
from qa.plots import corpus_figure, coverage_figure
from qa.render import (
    EMPTY_SOURCES,
    answer_markdown,
    corpus_markdown,
    full_answer_markdown,
    shown_markdown,
    sources_html,
)
from qa.types import Answer, ArticleInfo, Feed, IndexStats, Turn
from qa.uploads import add_uploads

log = logging.getLogger(__name__)

EXAMPLES = [
    "Who traveled to Moscow for talks with Putin?",
    "How much did Google pay in 2021 to be the default search engine, according to Prabhakar Raghavan?",
    "When does the Steam Deck OLED go on sale?",
    "Who was fired as CEO of OpenAI?",
]
"""Questions the demo corpus (corpus/) answers."""
CONCURRENCY = 4
REFRESH_SECONDS = 30
"""How often an open page refreshes the corpus summary, outlets and Articles table (another
process may have ingested)."""


def _stats(archive: Archive) -> IndexStats | None:
    try:
        return archive.stats()
    except QAError:
        return None


def _feeds(archive: Archive) -> list[Feed]:
    try:
        return archive.feeds()
    except QAError:
        return []


class ChatHandlers:
    """The chat's event handlers, bound to one archive; each is a plain method, callable without a server."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def respond(
        self,
        message: str,
        history: list[dict[str, Any]],
        since: str | None,
        until: str | None,
        outlets: list[str] | None,
        k: float,
        turns: list[Turn],
    ) -> Iterator[tuple[list[dict[str, Any]], Any, str, list[Turn], Any]]:
        """Stream the answer to a chat message into the history, then fill the sources panel and
        the coverage plot."""
        if not message.strip():
            yield history, gr.skip(), "", turns, gr.skip()
            return
        history = [*history, {"role": "user", "content": message}, {"role": "assistant", "content": "…"}]
        yield history, gr.skip(), "", turns, gr.skip()
        conversation = Conversation(self.archive, turns)
        shown = ""
        try:
            stream = conversation.ask_stream(
                message, k=int(k), since=(since or "").strip() or None, until=(until or "").strip() or None, sources=outlets or ()
            )
            key = len(turns) + 1
            for piece in stream:
                shown += piece
                history[-1]["content"] = shown_markdown(stream.short, shown, key)
                yield history, gr.skip(), "", turns, gr.skip()
            answer = stream.answer
            history[-1]["content"] = full_answer_markdown(answer, key)
            passages = stream.retrieval.passages if stream.retrieval else []
            figure = coverage_figure(passages, answer.citations) if answer.citations else None
            panel = sources_html(_numbered(conversation.turns))
            yield history, panel, "", conversation.turns, gr.update(value=figure, visible=figure is not None)
        except QAError as error:
            history[-1]["content"] = f"⚠️ {answer_markdown(self.public(error))}"
            yield history, sources_html(_numbered(turns)), "", turns, gr.update(value=None, visible=False)
        except Exception:
            log.exception("answering failed")
            history[-1]["content"] = "⚠️ Something went wrong while answering; the server log has the details."
            yield history, sources_html(_numbered(turns)), "", turns, gr.update(value=None, visible=False)

    def corpus_view(self, query: str = "") -> tuple[str, Any, Any, list[list[Any]]]:
        """The corpus as of now: its summary, the outlet filter's choices, the articles-per-week
        plot, and the Articles table (filtered by `query`)."""
        try:
            articles = self.archive.articles()
        except QAError:
            articles = []
        stats = _stats(self.archive)
        figure = corpus_figure(articles)
        return (
            corpus_markdown(stats, _feeds(self.archive)),
            gr.update(choices=stats.outlets if stats else []),
            gr.update(value=figure, visible=figure is not None),
            _rows(articles, query),
        )

    def search_articles(self, query: str) -> list[list[Any]]:
        """The Articles table's rows whose title, outlet, date or id hold every word of the query."""
        try:
            return _rows(self.archive.articles(), query)
        except QAError:
            return []

    def search_note(self, query: str, rows: Any) -> str:
        """A line under the table when a search matches nothing."""
        query = query or ""
        empty = len(rows) == 0 if hasattr(rows, "__len__") and not isinstance(rows, dict) else not rows.get("data")
        return f"No article matches “{answer_markdown(query.strip())}”." if query.strip() and empty else ""

    def open_article(self, rows: Any, event: gr.SelectData) -> tuple[str, str, str, Any, Any]:
        """Show the selected row's article: heading, text, its id (for removal), and the Remove button."""
        row = event.index[0] if isinstance(event.index, list | tuple) else event.index
        values = _row_values(rows, int(row))
        if values is None:
            return "", "", "", gr.update(visible=False), gr.update(visible=False)
        article_id = str(values[-1])
        found = next((a for a in self.archive.articles() if a.id == article_id), None)
        if found is None:
            return "That article is no longer in the archive.", "", "", gr.update(visible=False), gr.update(visible=False)
        byline = " · ".join(answer_markdown(part) for part in (found.source, found.published) if part)
        where = (
            f"[{answer_markdown(found.url)}]({quote(found.url, safe=':/?#=&%+~@!,;')})"
            if found.url
            else answer_markdown(found.path)
        )
        passages = f"{found.passages} passage{'' if found.passages == 1 else 's'}"
        heading = f"### {answer_markdown(found.title)}\n{' · '.join(filter(None, (byline, where, passages)))}"
        removable = self.archive.settings.uploads == "on"
        text = self.archive.article_text(article_id)
        return heading, text, article_id, gr.update(visible=removable), gr.update(visible=False)

    def confirm_removal(self, article_id: str) -> tuple[Any, str]:
        """Ask before removing: show the confirmation row, naming the article."""
        found = next((a for a in self.archive.articles() if a.id == article_id), None)
        title = f"“{answer_markdown(found.title)}”" if found else "this article"
        return gr.update(visible=found is not None), f"Remove {title} from the index? Answers will no longer cite it."

    def remove_article(self, article_id: str, query: str) -> tuple[str, str, str, str, Any, Any, str, Any, Any, list[list[Any]]]:
        """Remove the selected article; then the view as of now."""
        if self.archive.settings.uploads != "on":
            message = "Removing articles is turned off on this server (QA_UPLOADS=off)."
        elif not article_id:
            message = "Choose an article in the table first."
        else:
            try:
                removal = self.archive.remove([article_id])
                titles = ", ".join(f"“{a.title}”" for a in removal.removed)
                message = f"Removed {titles}." if removal.removed else "That article was already gone."
            except QAError as error:
                message = f"⚠️ {self.public(error)}"
        hidden = gr.update(visible=False)
        return (answer_markdown(message), "", "", "", hidden, hidden, *self.corpus_view(query))

    def add_files(self, files: list[str] | None, progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple[str, Any, Any]:
        """Keep and ingest uploaded article files (see qa.uploads); report what was skipped. Gradio's
        own copies of the files are removed either way."""
        if not files:
            return "", gr.skip(), gr.skip()
        try:
            report = add_uploads(self.archive, [Path(file) for file in files])
        except QAError as error:
            return f"⚠️ {answer_markdown(self.public(error))}", gr.skip(), gr.skip()
        except Exception:
            log.exception("adding uploads failed")
            return "⚠️ The upload could not be added; the server log has the details.", gr.skip(), gr.skip()
        finally:
            for file in files:
                Path(file).unlink(missing_ok=True)
        notes = [
            f"- {answer_markdown(p.path.removeprefix(UPLOADS + '/'))}: {answer_markdown(self.public(p.reason))}"
            for p in report.problems
        ]
        summary = f"Added {report.added}, updated {report.updated}, skipped {report.skipped}."
        corpus, outlets, _plot, _rows = self.corpus_view()
        return answer_markdown(summary) + ("\n\n" + "\n".join(notes) if notes else ""), corpus, outlets

    def ask(self, question: str, since: str = "", until: str = "", outlets: list[str] | None = None, k: int | None = None) -> str:
        """Answer a question from the archive: JSON {answer, refused, citations}, as `qa ask --json` prints it.

        A string rather than an object, because gradio_client takes any object with a "path" key
        (as each citation has) for a file to download. A problem the asker can fix is their error
        message, as the CLI words it."""
        try:
            answer = self.archive.ask(question, k=k, since=since or None, until=until or None, sources=outlets or ())
        except QAError as error:
            raise gr.Error(self.public(error), print_exception=False) from None
        return json.dumps(answer.to_dict(), ensure_ascii=False)

    def public(self, error: QAError | str) -> str:
        """A message for someone on the web: the index folder's place on disk and process ids left out."""
        return public(error, Path(self.archive.settings.index_dir))


def _numbered(turns: list[Turn]) -> list[tuple[int, Answer]]:
    """A conversation's answers with their numbers (1 for the first), as the sources panel keys them."""
    return [(i, turn.answer) for i, turn in enumerate(turns, start=1)]


COLUMNS = ["Published", "Outlet", "Title", "Passages", "Id"]


def _rows(articles: list[ArticleInfo], query: str) -> list[list[Any]]:
    return [[a.published, a.source, a.title, a.passages, a.id] for a in articles if a.matches(query or "")]


def _row_values(rows: Any, row: int) -> list[Any] | None:
    """A row of the table's value, which Gradio gives as a DataFrame or as {"data": [...]}."""
    if hasattr(rows, "iloc"):
        return list(rows.iloc[row]) if 0 <= row < len(rows) else None
    data = rows.get("data", []) if isinstance(rows, dict) else rows
    return list(data[row]) if 0 <= row < len(data) else None


def build_app(archive: Archive) -> gr.Blocks:
    """The chat with its sources panel, filters, corpus summary and upload."""
    stats = _stats(archive)
    handlers = ChatHandlers(archive)

    app = gr.Blocks(title="Ask the news archive")
    settings = archive.settings
    with app:
        gr.Markdown(
            "## Ask the news archive\nEvery sentence of an answer is quoted from an article and cited [n]; click a number to see its source."
        )
        with gr.Tabs():
            with gr.Tab("Chat", id="chat-tab"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(elem_id="chat", height=480, allow_tags=False, label="Chat")
                        question = gr.Textbox(
                            placeholder="Ask a question…", show_label=False, elem_id="question", submit_btn=True
                        )
                        gr.Examples(EXAMPLES, inputs=question, label="Examples (click one, then press Enter)")
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        sources = gr.HTML(EMPTY_SOURCES, elem_id="sources")
                        coverage = gr.Plot(show_label=False, elem_id="coverage", visible=False)
                with gr.Accordion("Filters and settings (apply to the next question)", open=False), gr.Row():
                    since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD", elem_id="since")
                    until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD", elem_id="until")
                    outlets = gr.Dropdown(
                        choices=stats.outlets if stats else [], multiselect=True, label="Outlets", elem_id="outlets"
                    )
                    k = gr.Slider(1, 30, value=settings.top_k, step=1, label="Passages to retrieve", elem_id="k")
                with gr.Accordion("Corpus", open=False):
                    corpus = gr.Markdown(corpus_markdown(stats), elem_id="corpus")
                    corpus_plot = gr.Plot(show_label=False, elem_id="corpus-plot", visible=False)
                    upload = gr.File(
                        file_count="multiple",
                        file_types=list(SUPPORTED_SUFFIXES),
                        label=f"Add articles ({', '.join(SUPPORTED_SUFFIXES)}; up to {settings.max_upload_mb:g} MiB each, "
                        f"{settings.max_upload_files} at a time)",
                        elem_id="upload",
                        visible=settings.uploads == "on",
                    )
                    upload_report = gr.Markdown(elem_id="upload-report")
            with gr.Tab("Articles", id="articles-tab"):
                search = gr.Textbox(placeholder="Search titles, outlets, dates…", show_label=False, elem_id="article-search")
                table = gr.Dataframe(
                    headers=COLUMNS,
                    datatype=["str", "str", "str", "number", "str"],
                    interactive=False,
                    wrap=True,
                    max_height=420,
                    elem_id="articles",
                )
                articles_note = gr.Markdown(elem_id="articles-note")
                article_heading = gr.Markdown(elem_id="article-heading")
                article_text = gr.Textbox(
                    show_label=False,
                    lines=10,
                    max_lines=20,
                    interactive=False,
                    placeholder="Click an article in the table to read it here.",
                    elem_id="article-text",
                )
                selected = gr.State("")
                remove = gr.Button("Remove this article…", variant="secondary", visible=False, elem_id="remove")
                with gr.Row(visible=False) as confirm_row:
                    confirm_text = gr.Markdown("Remove it from the index? Answers will no longer cite it.")
                    confirm = gr.Button("Yes, remove it", variant="stop", elem_id="confirm-remove")
                    cancel = gr.Button("Cancel", elem_id="cancel-remove")
                removal_report = gr.Markdown(elem_id="removal-report")

        turns = gr.State([])
        view = [corpus, outlets, corpus_plot, table]
        question.submit(
            handlers.respond,
            [question, chatbot, since, until, outlets, k, turns],
            [chatbot, sources, question, turns, coverage],
        )
        chatbot.clear(lambda: ([], EMPTY_SOURCES, gr.update(value=None, visible=False)), None, [turns, sources, coverage])
        upload.upload(handlers.add_files, [upload], [upload_report, corpus, outlets]).then(
            handlers.corpus_view, [search], view, api_visibility="private"
        ).then(lambda: None, None, [upload], api_visibility="private")
        search.change(handlers.search_articles, [search], [table], api_visibility="private")
        table.change(handlers.search_note, [search, table], [articles_note], api_visibility="private")
        table.select(
            handlers.open_article,
            [table],
            [article_heading, article_text, selected, remove, confirm_row],
            api_visibility="private",
        )
        remove.click(handlers.confirm_removal, [selected], [confirm_row, confirm_text], api_visibility="private")
        cancel.click(lambda: gr.update(visible=False), None, [confirm_row], api_visibility="private")
        confirm.click(
            handlers.remove_article,
            [selected, search],
            [removal_report, article_heading, article_text, selected, remove, confirm_row, *view],
            api_visibility="private",
        )
        app.load(handlers.corpus_view, [search], view, api_visibility="private")
        gr.Timer(REFRESH_SECONDS).tick(handlers.corpus_view, [search], view, api_visibility="private")
        api(handlers.ask, api_name="ask")
    app.queue(default_concurrency_limit=CONCURRENCY)
    return app
