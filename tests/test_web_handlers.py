"""The chat's handlers called directly, without a server: what each one puts on the page."""

from __future__ import annotations

import json

import gradio as gr

from qa import Archive, Settings
from qa.web import EMPTY_SOURCES, ChatHandlers

from conftest import SEED_QUESTION, write_corpus

SEED_TITLE = "European leaders are concerned US may walk away from Ukraine war"


def last(updates):
    *_, final = updates
    return final


def test_respond_streams_the_answer_into_the_history_then_fills_the_sources(seeded):
    updates = list(ChatHandlers(seeded).respond(SEED_QUESTION, [], "", "", [], 10, []))
    history, sources, cleared, turns, coverage = last(updates)
    assert [m["role"] for m in history] == ["user", "assistant"] and history[0]["content"] == SEED_QUESTION
    assert "Witkoff" in history[-1]["content"] and "(#src-1-1)" in history[-1]["content"]
    assert 'id="src-1-1"' in sources and "<mark>" in sources and cleared == ""
    assert [t.question for t in turns] == [SEED_QUESTION]
    assert len(updates) >= 3
    plotted = coverage["value"].axes[0]
    assert coverage["visible"] is True and plotted.get_title() == "Articles behind this answer, by date and outlet"
    assert "MENAFN" in [label.get_text() for label in plotted.get_yticklabels()]


def test_respond_carries_the_conversation_through_the_turns_it_returns(seeded):
    handlers = ChatHandlers(seeded)
    history, _, _, turns, _ = last(handlers.respond(SEED_QUESTION, [], "", "", [], 10, []))
    history, _, _, turns, _ = last(handlers.respond("And what did Putin dismiss?", history, "", "", [], 10, turns))
    assert len(turns) == 2 and turns[-1].standalone.startswith(SEED_QUESTION)
    assert "dismissed parts of Washington" in history[-1]["content"]


def test_an_empty_message_changes_nothing(seeded):
    [(history, _, cleared, turns, _)] = list(ChatHandlers(seeded).respond("   ", [], "", "", [], 10, []))
    assert history == [] and cleared == "" and turns == []


def test_a_bad_filter_is_shown_as_a_message(seeded):
    history, sources, _, turns, coverage = last(ChatHandlers(seeded).respond(SEED_QUESTION, [], "last week", "", [], 10, []))
    assert history[-1]["content"].startswith("⚠️") and "is not YYYY" in history[-1]["content"]
    assert sources == EMPTY_SOURCES and turns == [] and coverage["visible"] is False


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
    assert "**1 article**, 1 passage," in corpus
    assert not archive.ask("Who kept the light for forty years?").refused


def test_the_short_answer_stands_in_bold_at_the_top_of_the_chat_answer_while_it_streams(seeded):
    updates = list(ChatHandlers(seeded).respond(SEED_QUESTION, [], "", "", [], 10, []))
    history, _, _, turns, _ = last(updates)
    short = turns[-1].answer.short
    assert short and history[-1]["content"].startswith(f"**{short}**\n\n")
    streamed = [update[0][-1]["content"] for update in updates[1:-1]]
    assert streamed and all(content.startswith(f"**{short}**\n\n") for content in streamed)


def test_the_sources_panel_marks_every_quoted_sentence_of_a_passage():
    from qa.render import sources_html
    from qa.types import Answer, Citation

    text = "First fact here. A middle sentence. Second fact <b>there</b>."
    citation = Citation(1, "T", "S", "2024-01-01", "", "p", text, ("First fact here.", "Second fact <b>there</b>."), 1.0)
    html = sources_html([(1, Answer("First fact here. Second fact. [1]", refused=False, citations=[citation]))])
    assert html.count("<mark>") == 2 and "<mark>Second fact &lt;b&gt;there&lt;/b&gt;.</mark>" in html


def test_the_corpus_view_shows_another_processs_ingest_and_the_articles_tab_removes(tmp_path):
    archive = Archive(settings=Settings(index_dir=tmp_path / "index", refresh_seconds=0))
    archive.ingest([write_corpus(tmp_path / "corpus")])
    handlers = ChatHandlers(archive)
    assert "4 articles" in handlers.corpus_view()[0]
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "ferry.md").write_text(
        "---\ntitle: Ferry returns\nsource: Pentland Herald\ndate: 2024-05-20\n---\nThe ferry returns.\n"
    )
    Archive(tmp_path / "index").ingest([extra])
    corpus, outlets, plot, rows = handlers.corpus_view()
    assert "5 articles" in corpus and "Pentland Herald" in outlets["choices"] and plot["visible"] is True
    assert handlers.search_note("zzzz", handlers.search_articles("zzzz")) == "No article matches “zzzz”."
    assert handlers.search_note("", rows) == ""
    [row] = handlers.search_articles("ferry pentland")
    heading, text, selected, remove, _ = handlers.open_article(
        rows, gr.SelectData(None, {"index": [rows.index(row), 2], "value": ""})
    )
    assert "Ferry returns" in heading and text == "The ferry returns." and remove["visible"] is True
    [harbour] = handlers.search_articles("harbour bridge")
    linked, *_ = handlers.open_article(rows, gr.SelectData(None, {"index": [rows.index(harbour), 2], "value": ""}))
    assert "](https://courier.example/harbour-bridge)" in linked
    _, title = handlers.confirm_removal(selected)
    assert title.startswith("Remove “Ferry returns” from the index?")
    report, *_, table = handlers.remove_article(selected, "")
    assert "Removed “Ferry returns”" in report and all("Ferry returns" not in r for r in table)
    assert all(c.title != "Ferry returns" for c in archive.ask("When does the ferry return?").citations)
