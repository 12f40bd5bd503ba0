"""The web chat: Gradio UI over an Archive. Layout and events only; the work is the qa API's."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.events import api

from qa.archive import Archive
from qa.chat import Conversation
from qa.corpus import SUPPORTED_SUFFIXES
from qa.errors import QAError
from qa.render import (
    EMPTY_SOURCES,
    answer_markdown,
    corpus_markdown,
    full_answer_markdown,
    shown_markdown,
    sources_html,
)
from qa.types import IndexStats, Turn
from qa.uploads import UPLOADS, add_uploads

log = logging.getLogger(__name__)

EXAMPLES = [
    "Who traveled to Moscow for talks with Putin?",
    "What did Trump's National Security Strategy say about Europe?",
    "What did John Foreman say?",
]
CONCURRENCY = 4


def _stats(archive: Archive) -> IndexStats | None:
    try:
        return archive.stats()
    except QAError:
        return None


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
    ) -> Iterator[tuple[list[dict[str, Any]], Any, str, list[Turn]]]:
        """Stream the answer to a chat message into the history, then fill the sources panel."""
        if not message.strip():
            yield history, gr.skip(), "", turns
            return
        history = [*history, {"role": "user", "content": message}, {"role": "assistant", "content": "…"}]
        yield history, gr.skip(), "", turns
        conversation = Conversation(self.archive, turns)
        shown = ""
        try:
            stream = conversation.ask_stream(
                message, k=int(k), since=(since or "").strip() or None, until=(until or "").strip() or None, sources=outlets or ()
            )
            for piece in stream:
                shown += piece
                history[-1]["content"] = shown_markdown(stream.short, shown)
                yield history, gr.skip(), "", turns
            history[-1]["content"] = full_answer_markdown(stream.answer)
            yield history, sources_html(stream.answer), "", conversation.turns
        except QAError as error:
            history[-1]["content"] = f"⚠️ {answer_markdown(self.public(error))}"
            yield history, EMPTY_SOURCES, "", turns
        except Exception:
            log.exception("answering failed")
            history[-1]["content"] = "⚠️ Something went wrong while answering; the server log has the details."
            yield history, EMPTY_SOURCES, "", turns

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
        current = _stats(self.archive)
        summary = f"Added {report.added}, updated {report.updated}, skipped {report.skipped}."
        outlets = gr.update(choices=current.outlets if current else [])
        return answer_markdown(summary) + ("\n\n" + "\n".join(notes) if notes else ""), corpus_markdown(current), outlets

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
        text = str(error)
        folder = Path(self.archive.settings.index_dir)
        for place in {str(folder.resolve()), str(folder)}:
            text = text.replace(place, "the index folder")
        text = re.sub(r"(?<![\w.:/])/(?:[\w.-]+/)+([\w.-]+)", r"\1", text)
        return re.sub(r"\bpid \d+ ", "another process ", text)


def build_app(archive: Archive) -> gr.Blocks:
    """The chat with its sources panel, filters, corpus summary and upload."""
    stats = _stats(archive)
    handlers = ChatHandlers(archive)

    app = gr.Blocks(title="Ask the news archive")
    with app:
        gr.Markdown(
            "## Ask the news archive\nEvery sentence of an answer is quoted from an article and cited [n]; click a number to see its source."
        )
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(elem_id="chat", height=480, allow_tags=False, label="Chat")
                question = gr.Textbox(placeholder="Ask a question…", show_label=False, elem_id="question", submit_btn=True)
                gr.Examples(EXAMPLES, inputs=question, label="Examples")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(EMPTY_SOURCES, elem_id="sources")
        with gr.Accordion("Filters and settings (apply to the next question)", open=False), gr.Row():
            since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD", elem_id="since")
            until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD", elem_id="until")
            outlets = gr.Dropdown(choices=stats.outlets if stats else [], multiselect=True, label="Outlets", elem_id="outlets")
            k = gr.Slider(1, 30, value=archive.settings.top_k, step=1, label="Passages to retrieve", elem_id="k")
        with gr.Accordion("Corpus", open=False):
            corpus = gr.Markdown(corpus_markdown(stats), elem_id="corpus")
            settings = archive.settings
            upload = gr.File(
                file_count="multiple",
                file_types=list(SUPPORTED_SUFFIXES),
                label=f"Add articles ({', '.join(SUPPORTED_SUFFIXES)}; up to {settings.max_upload_mb:g} MiB each, "
                f"{settings.max_upload_files} at a time)",
                elem_id="upload",
                visible=settings.uploads == "on",
            )
            upload_report = gr.Markdown(elem_id="upload-report")

        turns = gr.State([])
        question.submit(
            handlers.respond, [question, chatbot, since, until, outlets, k, turns], [chatbot, sources, question, turns]
        )
        chatbot.clear(lambda: ([], EMPTY_SOURCES), None, [turns, sources])
        upload.upload(handlers.add_files, [upload], [upload_report, corpus, outlets])
        api(handlers.ask, api_name="ask")
    app.queue(default_concurrency_limit=CONCURRENCY)
    return app
