"""The web chat: a Gradio app over an Archive, streaming cited answers."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from qa.answer import Answer
from qa.archive import Archive
from qa.errors import QAError

EXAMPLES = [
    "Who traveled to Moscow for talks with Putin?",
    "What did Trump's National Security Strategy say about Europe?",
]


def build_app(archive: Archive) -> gr.ChatInterface:
    """A chat whose replies stream in and end with the numbered sources they cite."""

    def respond(message: str, history: list[dict]) -> Iterator[str]:
        shown = ""
        try:
            for piece in archive.ask_stream(message):
                if isinstance(piece, Answer):
                    yield shown + _sources(piece)
                else:
                    shown += piece
                    yield shown
        except QAError as error:
            yield f"⚠️ {error}"

    return gr.ChatInterface(
        respond,
        title="Ask the news archive",
        description="Answers quote the articles and cite each sentence [n]; sources are listed below each answer.",
        examples=EXAMPLES,
        cache_examples=False,
    )


def _sources(answer: Answer) -> str:
    if not answer.citations:
        return ""
    lines = ["", "", "**Sources**"]
    for c in answer.citations:
        byline = ", ".join(part for part in (c.source, c.published) if part)
        lines.append(f"{c.n}. {c.title} ({byline}) — {c.url or c.path}")
    return "\n".join(lines)
