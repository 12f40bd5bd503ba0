"""Asking: cited extractive answers, refusals, filters and the streaming form."""

from __future__ import annotations

import pytest

from qa import REFUSAL, Answer, BadFilter, BadRequest

from conftest import SEED_QUESTION

SEED_TITLE = "European leaders are concerned US may walk away from Ukraine war"


def test_seed_question_is_answered_with_a_citation_to_the_seed_article(seeded):
    answer = seeded.ask(SEED_QUESTION)
    assert not answer.refused
    first = answer.citations[0]
    assert (first.n, first.title, first.source, first.published) == (1, SEED_TITLE, "MENAFN", "2025-12-07")
    assert "Witkoff" in first.quote and "Kushner" in first.quote
    assert first.quote in first.text
    assert first.path == "corpus/000_e4d5103e5b655136.txt"
    assert answer.text.startswith(first.quote + " [1]")


def test_every_sentence_of_an_answer_carries_a_marker_to_a_citation_that_holds_it(seeded):
    answer = seeded.ask("How many cables did engineers replace on the harbour bridge, and what was the bill?")
    assert not answer.refused
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        assert f"{citation.quote} [{citation.n}]" in answer.text
        assert citation.quote in citation.text
    assert "412" in answer.text and any(c.source == "Coastal Courier" for c in answer.citations)


@pytest.mark.parametrize(
    "question",
    ["What is the boiling point of tungsten?", "Who won the 2022 football World Cup final?"],
)
def test_a_question_the_corpus_cannot_answer_is_refused(seeded, question):
    answer = seeded.ask(question)
    assert answer.refused and answer.text == REFUSAL and answer.citations == []


def test_a_question_about_an_outlet_the_archive_lacks_is_refused_naming_it(seeded):
    question = "According to a Bloomberg article and a report by Reuters, how many cables did engineers replace?"
    answer = seeded.ask(question)
    assert answer.refused and answer.citations == []
    assert answer.text == "Not found in the corpus: it has no articles from Bloomberg or Reuters."
    assert seeded.retrieve(question).passages, "the passages are still there to look at"
    assert not seeded.ask("According to a Coastal Courier report, how many cables did engineers replace?").refused


def test_a_date_filter_excludes_articles_outside_it(seeded):
    assert not seeded.ask(SEED_QUESTION, since="2025-12-01").refused
    assert seeded.ask(SEED_QUESTION, since="2025-12-08").refused
    assert seeded.ask(SEED_QUESTION, until="2025-12-06").refused
    passages = seeded.retrieve("apple frost harbour bridge Moscow", until="2024-04-30").passages
    assert passages and {p.metadata["published"] for p in passages} == {"2024-03-14", "2024-04-05"}


def test_an_outlet_filter_keeps_only_that_outlet_whatever_its_case(seeded):
    passages = seeded.retrieve("apples frost harbour Moscow", sources=["valley times"]).passages
    assert passages and {p.metadata["source"] for p in passages} == {"Valley Times"}


def test_unknown_outlet_and_bad_dates_are_clear_errors(seeded):
    with pytest.raises(BadFilter, match="no articles from Reuters in the index; outlets: Coastal Courier, MENAFN"):
        seeded.ask(SEED_QUESTION, sources=["Reuters"])
    with pytest.raises(BadFilter, match="since date '7 Dec' is not YYYY-MM-DD"):
        seeded.ask(SEED_QUESTION, since="7 Dec")
    with pytest.raises(BadFilter, match="until date '2023-13-45' is no such day"):
        seeded.ask(SEED_QUESTION, until="2023-13-45")
    with pytest.raises(BadFilter, match="after until"):
        seeded.ask(SEED_QUESTION, since="2025-01-02", until="2025-01-01")


def test_k_limits_the_passages_retrieved(seeded):
    assert len(seeded.retrieve("frost apples cider harbour bridge Moscow", k=2).passages) == 2


def test_a_stream_yields_text_pieces_then_becomes_the_answer_they_make_up(seeded):
    stream = seeded.ask_stream(SEED_QUESTION)
    texts = list(stream)
    assert texts and all(isinstance(t, str) for t in texts)
    assert isinstance(stream.answer, Answer) and "".join(texts) == stream.answer.text
    assert stream.answer == seeded.ask(SEED_QUESTION)


def test_reading_a_streams_answer_first_reads_the_rest_of_it(seeded):
    stream = seeded.ask_stream(SEED_QUESTION)
    assert not stream.answer.refused and "Witkoff" in stream.answer.text
    assert list(stream) == []


def test_the_public_api_exports_every_error_a_user_can_act_on():
    import qa
    from qa.errors import QAError

    def subclasses(cls):
        return {cls} | {s for sub in cls.__subclasses__() for s in subclasses(sub)}

    assert {cls.__name__ for cls in subclasses(QAError)} <= set(qa.__all__)
    assert all(getattr(qa, name) is not None for name in qa.__all__)


def test_an_overlong_question_is_a_one_line_error(seeded):
    with pytest.raises(BadRequest, match="the question is 20,000 characters long; the limit is 2,000"):
        seeded.ask("why " * 5000)
