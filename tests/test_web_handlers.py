"""The chat's handlers called directly, without a server: what each one puts on the page."""

from __future__ import annotations

import json

from qa import Archive
from qa.web import EMPTY_SOURCES, ChatHandlers

from conftest import SEED_QUESTION

SEED_TITLE = "European leaders are concerned US may walk away from Ukraine war"


def last(updates):
    *_, final = updates
    return final


def test_respond_streams_the_answer_into_the_history_then_fills_the_sources(seeded):
    updates = list(ChatHandlers(seeded).respond(SEED_QUESTION, [], "", "", [], 10, []))
    history, sources, cleared, turns = last(updates)
    assert [m["role"] for m in history] == ["user", "assistant"] and history[0]["content"] == SEED_QUESTION
    assert "Witkoff" in history[-1]["content"] and "(#src-1)" in history[-1]["content"]
    assert 'id="src-1"' in sources and "<mark>" in sources and cleared == ""
    assert [t.question for t in turns] == [SEED_QUESTION]
    assert len(updates) >= 3


def test_respond_carries_the_conversation_through_the_turns_it_returns(seeded):
    handlers = ChatHandlers(seeded)
    history, _, _, turns = last(handlers.respond(SEED_QUESTION, [], "", "", [], 10, []))
    history, _, _, turns = last(handlers.respond("And what did Putin dismiss?", history, "", "", [], 10, turns))
    assert len(turns) == 2 and turns[-1].standalone.startswith(SEED_QUESTION)
    assert "dismissed parts of Washington" in history[-1]["content"]


def test_an_empty_message_changes_nothing(seeded):
    [(history, _, cleared, turns)] = list(ChatHandlers(seeded).respond("   ", [], "", "", [], 10, []))
    assert history == [] and cleared == "" and turns == []


def test_a_bad_filter_is_shown_as_a_message(seeded):
    history, sources, _, turns = last(ChatHandlers(seeded).respond(SEED_QUESTION, [], "last week", "", [], 10, []))
    assert history[-1]["content"].startswith("⚠️") and "is not YYYY" in history[-1]["content"]
    assert sources == EMPTY_SOURCES and turns == []


def test_ask_returns_the_json_the_cli_prints(seeded):
    result = json.loads(ChatHandlers(seeded).ask(SEED_QUESTION))
    assert result["refused"] is False and result["citations"][0]["title"] == SEED_TITLE


def test_add_files_ingests_good_files_and_lists_the_bad_ones(tmp_path):
    good = tmp_path / "lighthouse.md"
    good.write_text(
        "---\ntitle: Lighthouse keeper retires\ndate: 2024-06-01\n---\nOttilie Brandt kept the light for forty years.\n"
    )
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    archive = Archive(tmp_path / "index")
    report, corpus, _ = ChatHandlers(archive).add_files([str(good), str(bad)])
    assert "Added 1" in report and "broken" in report and "invalid JSON" in report
    assert "1 articles" in corpus
    assert not archive.ask("Who kept the light for forty years?").refused


def test_the_short_answer_stands_in_bold_at_the_top_of_the_chat_answer_while_it_streams(seeded):
    updates = list(ChatHandlers(seeded).respond(SEED_QUESTION, [], "", "", [], 10, []))
    history, _, _, turns = last(updates)
    short = turns[-1].answer.short
    assert short and history[-1]["content"].startswith(f"**{short}**\n\n")
    streamed = [update[0][-1]["content"] for update in updates[1:-1]]
    assert streamed and all(content.startswith(f"**{short}**\n\n") for content in streamed)


def test_the_sources_panel_marks_every_quoted_sentence_of_a_passage():
    from qa.render import sources_html
    from qa.types import Answer, Citation

    text = "First fact here. A middle sentence. Second fact <b>there</b>."
    citation = Citation(1, "T", "S", "2024-01-01", "", "p", text, ("First fact here.", "Second fact <b>there</b>."), 1.0)
    html = sources_html(Answer("First fact here. Second fact. [1]", refused=False, citations=[citation]))
    assert html.count("<mark>") == 2 and "<mark>Second fact &lt;b&gt;there&lt;/b&gt;.</mark>" in html
