"""The web chat, served on 127.0.0.1 and asked through the official gradio_client."""

from __future__ import annotations

import socket

import pytest
from gradio_client import Client

from conftest import SEED_QUESTION
from qa.web import build_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(seeded):
    port = free_port()
    app = build_app(seeded)
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    app.close()


def test_the_chat_answers_with_the_cited_source(served):
    reply = served.predict(SEED_QUESTION, api_name="/respond")
    assert "Witkoff" in reply and "[1]" in reply
    assert "European leaders are concerned US may walk away from Ukraine war (MENAFN, 2025-12-07)" in reply


def test_the_chat_refuses_what_the_corpus_lacks(served):
    assert served.predict("What is the boiling point of tungsten?", api_name="/respond").startswith("Not found in the corpus")
