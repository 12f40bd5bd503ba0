"""The web chat: Gradio UI over an Archive. Layout and events only; the work is the qa API's."""

from __future__ import annotations

import json
import logging
import shutil
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
    CSS,
    EMPTY_SOURCES,
    HEAD,
    answer_markdown,
    corpus_markdown,
    full_answer_markdown,
    shown_markdown,
    sources_html,
)
from qa.types import IndexStats, Turn

log = logging.getLogger(__name__)

EXAMPLES = [
    "Who traveled to Moscow for talks with Putin?",
    "What did Trump's National Security Strategy say about Europe?",
    "What did John Foreman say?",
]
MAX_UPLOAD = "10mb"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOADS = "uploads"
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
            history[-1]["content"] = f"⚠️ {answer_markdown(str(error))}"
            yield history, EMPTY_SOURCES, "", turns
        except Exception:
            log.exception("answering failed")
            history[-1]["content"] = "⚠️ Something went wrong while answering; the server log has the details."
            yield history, EMPTY_SOURCES, "", turns

    def add_files(self, files: list[str] | None, progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple[str, Any, Any]:
        """Copy uploaded article files into the index folder and ingest them; report what was skipped."""
        if not files:
            return "", gr.skip(), gr.skip()
        uploads = Path(self.archive.settings.index_dir) / UPLOADS
        uploads.mkdir(parents=True, exist_ok=True)
        notes = []
        for file in files:
            source = Path(file)
            target = uploads / source.name
            if source.name.startswith(".") or target.resolve().parent != uploads.resolve():
                notes.append(f"- skipped {answer_markdown(source.name)}: not a plain file name")
            elif source.stat().st_size > MAX_UPLOAD_BYTES:
                notes.append(f"- skipped {answer_markdown(source.name)}: over the {MAX_UPLOAD} limit")
            else:
                shutil.copyfile(source, target)
        try:
            report = self.archive.ingest([uploads], progress=True)
        except QAError as error:
            return f"⚠️ {error}", gr.skip(), gr.skip()
        notes += [
            f"- {answer_markdown(p.path.removeprefix(UPLOADS + '/'))}: {answer_markdown(p.reason)}" for p in report.problems
        ]
        current = _stats(self.archive)
        summary = f"Added {report.added}, updated {report.updated}, skipped {report.skipped}."
        outlets = gr.update(choices=current.outlets if current else [])
        return answer_markdown(summary) + ("\n\n" + "\n".join(notes) if notes else ""), corpus_markdown(current), outlets

    def ask(self, question: str, since: str = "", until: str = "", outlets: list[str] | None = None, k: int | None = None) -> str:
        """Answer a question from the archive: JSON {answer, refused, citations}, as `qa ask --json` prints it.

        A string rather than an object, because gradio_client takes any object with a "path" key
        (as each citation has) for a file to download."""
        answer = self.archive.ask(question, k=k, since=since or None, until=until or None, sources=outlets or ())
        return json.dumps(answer.to_dict(), ensure_ascii=False)


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
            upload = gr.File(
                file_count="multiple",
                file_types=list(SUPPORTED_SUFFIXES),
                label=f"Add articles ({', '.join(SUPPORTED_SUFFIXES)}; up to {MAX_UPLOAD} each)",
                elem_id="upload",
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


def launch(app: gr.Blocks, host: str, port: int, **kwargs: Any) -> None:
    """Serve the app with the upload limit, styles and scripts it needs."""
    app.launch(server_name=host, server_port=port, max_file_size=MAX_UPLOAD, css=CSS, head=HEAD, **kwargs)
