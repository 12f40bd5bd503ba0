"""The web chat's API, served on 127.0.0.1 and called through the official gradio_client."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from gradio_client import Client

from qa import Archive

from conftest import SEED_QUESTION
from webapp import serving

SEED_TITLE = "European leaders are concerned US may walk away from Ukraine war"


@pytest.fixture(scope="module")
def client(seeded):
    with serving(seeded) as url:
        yield Client(url, verbose=False)


def test_ask_answers_the_seed_question_citing_the_seed_article(client):
    result = json.loads(client.predict(SEED_QUESTION, api_name="/ask"))
    assert result["refused"] is False
    assert result["citations"][0]["title"] == SEED_TITLE and "Witkoff" in result["citations"][0]["quote"]


def test_twenty_concurrent_questions_are_all_answered_correctly(seeded):
    with serving(seeded) as url:
        clients = [Client(url, verbose=False) for _ in range(4)]
        with ThreadPoolExecutor(max_workers=20) as pool:
            replies = list(pool.map(lambda i: clients[i % 4].predict(SEED_QUESTION, api_name="/ask"), range(20)))
    results = [json.loads(r) for r in replies]
    assert len(results) == 20
    assert all(not r["refused"] and r["citations"][0]["title"] == SEED_TITLE for r in results)


def test_the_chat_streams_the_answer_then_fills_the_sources_panel(client):
    job = client.submit(SEED_QUESTION, [], "", "", [], 10, api_name="/respond")
    updates = list(job)
    history, sources, cleared, coverage = updates[-1]
    assert cleared == ""
    assert "Witkoff" in str(history[-1]["content"]) and "(#src-1-1)" in str(history[-1]["content"])
    assert 'id="src-1-1"' in sources and "<mark>" in sources and "MENAFN · 2025-12-07" in sources
    assert len(updates) >= 3 and coverage["visible"] is True
    assert coverage["value"]["type"] == "matplotlib" and coverage["value"]["plot"].startswith("data:image")


def test_filters_apply_to_the_question(client):
    job = client.submit(SEED_QUESTION, [], "2025-12-08", "", [], 10, api_name="/respond")
    history, *_ = list(job)[-1]
    assert "No article in the archive was published since 2025" in str(history[-1]["content"])


def test_a_bad_filter_is_a_message_not_a_stack_trace(client):
    job = client.submit(SEED_QUESTION, [], "last week", "", [], 10, api_name="/respond")
    history, *_ = list(job)[-1]
    assert "since date" in str(history[-1]["content"]) and "is not YYYY" in str(history[-1]["content"])


def test_an_empty_index_gives_a_clear_message(tmp_path):
    with serving(Archive(tmp_path / "empty")) as url:
        job = Client(url, verbose=False).submit(SEED_QUESTION, [], "", "", [], 10, api_name="/respond")
        history, *_ = list(job)[-1]
    assert "no index at" in str(history[-1]["content"]) and "qa ingest" in str(history[-1]["content"])


def test_a_follow_up_carries_the_previous_question_within_one_session_only(seeded):
    def reply(client: Client, question: str) -> str:
        history, *_ = list(client.submit(question, [], "", "", [], 10, api_name="/respond"))[-1]
        return str(history[-1]["content"])

    with serving(seeded) as url:
        alice, bob = Client(url, verbose=False), Client(url, verbose=False)
        reply(alice, SEED_QUESTION)
        assert "dismissed parts of Washington" in reply(alice, "And what did Putin dismiss?")
        assert "Witkoff" not in reply(bob, "And what did Putin dismiss?")
