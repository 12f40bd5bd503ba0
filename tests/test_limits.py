"""Limits on what one request may ask, as a stranger meets them through the CLI and the served API,
and property-based checks that readers and question analysis never raise and stay linear."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from gradio_client import Client
from gradio_client.exceptions import AppError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa import Archive
from qa.analysis import foreign_outlets, named_outlets, named_periods
from qa.chat import Conversation
from qa.cli import cli
from qa.corpus import read_articles
from qa.intent import analyze
from qa.types import Article, Problem
from qa.web import ChatHandlers

from conftest import SEED_QUESTION
from webapp import serving


def test_a_one_megabyte_question_is_refused_in_one_line(seeded):
    shown = CliRunner().invoke(cli, ["ask", "Who " * 250_000, "--index", str(seeded.settings.index_dir)])
    assert shown.exit_code == 1
    assert shown.output.strip() == "Error: the question is 1,000,000 characters long; the limit is 2,000 (QA_MAX_QUESTION_CHARS)"


@pytest.fixture(scope="module")
def client(seeded):
    with serving(seeded) as url:
        yield Client(url, verbose=False)


@pytest.mark.parametrize(
    ("question", "k", "message"),
    [
        (SEED_QUESTION, -5, "k (passages to retrieve) must be from 1 to 100 (QA_MAX_K), not '-5'"),
        (SEED_QUESTION, 10**6, "must be from 1 to 100 (QA_MAX_K), not '1000000'"),
        ("   ", None, "the question is empty"),
        ("x" * 100_000, None, "the question is 100,000 characters long; the limit is 2,000"),
    ],
    ids=["negative-k", "huge-k", "empty", "long"],
)
def test_the_api_returns_the_clis_message_for_a_request_out_of_bounds(client, question, k, message):
    with pytest.raises(AppError) as raised:
        client.predict(question, "", "", [], k, api_name="/ask")
    assert message in str(raised.value)


def test_web_messages_show_no_folder_paths_or_process_ids(tmp_path):
    handlers = ChatHandlers(Archive(tmp_path / "index"))
    shown = handlers.public(f"the index at {tmp_path / 'index'} is locked by pid 4242 (ingest); try again")
    assert shown == "the index at the index folder is locked by another process (ingest); try again"
    assert handlers.public("cannot read /srv/news/private/feed.json") == "cannot read feed.json"


def test_an_empty_index_message_on_the_web_names_no_path(tmp_path):
    with serving(Archive(tmp_path / "empty")) as url:
        history, *_ = list(Client(url, verbose=False).submit(SEED_QUESTION, [], "", "", [], 10, api_name="/respond"))[-1]
    content = str(history[-1]["content"])
    assert "qa ingest" in content and str(tmp_path) not in content


ANALYSIS_BOUND = timedelta(seconds=5)
"""Far above what a linear pass over 40,000 characters takes (under one second), far below what a
quadratic one took (17 s for a year repeated 8,000 times)."""


@settings(max_examples=25, deadline=ANALYSIS_BOUND, suppress_health_check=[HealthCheck.too_slow])
@given(unit=st.text(st.sampled_from(list("Aa Q1 2023 May 5-'\"$%,.T")), min_size=1, max_size=10), times=st.integers(1, 4000))
def test_question_analysis_of_a_repeated_pattern_is_linear(unit, times):
    question = (unit * times)[:40_000]
    analyze(question, ["The Verge", "CNN"])
    foreign_outlets(question, ["The Verge", "CNN"])
    named_outlets(question, ["The Verge", "CNN"])
    named_periods(question, [2023, 2024])


def nested(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["title", "body", "date", "url"]), inner)


@settings(max_examples=60, deadline=ANALYSIS_BOUND, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(["a.md", "b.txt", "c.json", "d.jsonl"]),
    content=st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=2000),
        st.builds(lambda front, body: f"---\n{front}\n---\n{body}", st.text(max_size=300), st.text(max_size=300)),
        st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20), nested, max_leaves=30).map(json.dumps),
    ),
)
def test_readers_turn_any_file_into_articles_or_one_line_problems(tmp_path_factory, name, content):
    folder: Path = tmp_path_factory.mktemp("read")
    file = folder / name
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content, errors="surrogatepass")
    for item in read_articles(file):
        assert isinstance(item, Article | Problem)
        if isinstance(item, Problem):
            assert "\n" not in str(item) and item.reason


def test_one_outlet_name_given_as_a_string_is_one_outlet_not_its_letters(client):
    result = json.loads(client.predict(SEED_QUESTION, "", "", "MENAFN", None, api_name="/ask"))
    assert result["refused"] is False and result["citations"][0]["source"] == "MENAFN"


def test_a_follow_up_to_a_question_of_the_longest_length_is_answered(seeded):
    first = (SEED_QUESTION + " ") * (seeded.settings.max_question_chars // (len(SEED_QUESTION) + 1))
    chat = Conversation(seeded)
    chat.ask(first.strip())
    answer = chat.ask("And what did Putin dismiss?")
    assert not answer.refused and "dismissed" in answer.text
