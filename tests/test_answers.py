"""Answers that answer: a short typed answer, the sentence that proves it, and refusals that say why."""

from __future__ import annotations

import pytest
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from newsdesk import write_newsdesk

from qa import Archive, Conversation, RefusalCode
from qa.config import Settings
from qa.extractive import ExtractiveAnswerer, is_echo, is_heading
from qa.text import terms
from qa.types import Meta, Passage, Retrieval

from conftest import SEED_QUESTION, ingested


@pytest.fixture(scope="module")
def newsdesk(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return ingested(tmp_path_factory.mktemp("newsdesk"), write_newsdesk)


def quotes(answer) -> list[str]:
    return [q for c in answer.citations for q in c.quotes]


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("Who said the final bill for the harbour bridge came to 86 million euros?", "Ines Okafor"),
        ("How many corroded cables did engineers replace on the Kelvin harbour bridge?", "412"),
        ("Which grower expects the smallest harvest in a decade?", "Tomas Lind"),
    ],
)
def test_a_factoid_question_gets_a_short_answer_and_the_sentence_that_holds_it(seeded, question, short):
    answer = seeded.ask(question)
    assert answer.short == short and not answer.refused
    assert len(quotes(answer)) == 1 and short in quotes(answer)[0]
    assert answer.text == f"{quotes(answer)[0]} [1]"


def test_the_outlet_and_the_day_of_a_report_come_from_the_articles_metadata(seeded):
    outlet = seeded.ask("Which outlet reported that frost damaged the apple blossoms in the north valley?")
    day = seeded.ask("When did the Coastal Courier report that the harbour bridge reopened?")
    assert outlet.short == "Valley Times" and outlet.citations[0].source == "Valley Times"
    assert day.short == "2024-03-14" and day.text.startswith("Coastal Courier, 2024-03-14: ")


def test_a_yes_no_question_shows_what_each_article_says_without_a_verdict(seeded):
    answer = seeded.ask("Did the frost in the north valley push cider makers to import apples?")
    assert not answer.refused and answer.short == ""
    lines = answer.text.splitlines()
    assert lines and all(line.startswith("Valley Times, 2024-") and line.endswith("]") for line in lines)


def test_the_platform_named_only_in_the_title_is_the_short_answer(newsdesk):
    answer = newsdesk.ask("Which betting platform offers a welcome bonus of up to $1000?")
    assert answer.short == "Caesars Sportsbook"
    assert quotes(answer) == ["New customers can get up to $1000 in bonus bets if they lose their first bet."]


def test_a_sentence_that_echoes_the_question_is_never_quoted(newsdesk):
    question = "Who directed Titanic (25th Anniversary Re-release) (2023)?"
    answer = newsdesk.ask(question)
    assert answer.short == "James Cameron"
    assert all(not is_echo(q, question) and "?" not in q for q in quotes(answer))


def test_a_heading_is_never_quoted(newsdesk):
    answer = newsdesk.ask("Who has served as NFL commissioner since 2006?")
    assert answer.short == "Roger Goodell"
    assert "NFL Commissioners and Presidents." not in quotes(answer)
    assert is_heading("NFL Commissioners and Presidents.") and not is_heading(quotes(answer)[0])


def test_an_answer_quotes_no_padding(newsdesk):
    answer = newsdesk.ask("Who will play the duchess in season 3 of The Palace?")
    assert answer.short == "Marisol Vantreeck" and len(quotes(answer)) == 1


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Who will play the duchess in season 4 of The Palace?", "season 4"),
        ("Who won the 2022 Harbourside Prize?", "2021, not 2022"),
        ("How many troops did Germany send to Ukraine in December 2025?", "2025"),
        ("Who will play the duchess in season 3 of The Zorblaxian Palace?", "Zorblaxian"),
        ("Which actor was cast as Scrooge in a London season of A Christmas Carol?", "London"),
        ("Who is the CEO of Nvidia?", "none of the articles found names the CEO of Nvidia"),
    ],
)
def test_a_near_miss_is_refused_naming_the_constraint_it_misses(newsdesk, question, named):
    answer = newsdesk.ask(question)
    assert answer.refused and answer.citations == []
    assert answer.refusal_reason.code is RefusalCode.CONSTRAINT_UNMET and named in answer.refusal_reason.sentence


def test_the_twin_that_matches_is_answered(newsdesk):
    assert newsdesk.ask("Who won the 2021 Harbourside Prize?").short == "Odile Ferrant"
    assert newsdesk.ask("How many air-defence missiles did Germany pledge to Ukraine in December 2023?").short == "4,000"
    assert newsdesk.ask("Which actor was cast as Scrooge in a Melbourne season of A Christmas Carol?").short == "Owen Teale"
    assert newsdesk.ask("Who is the CEO of Arm?").short == "Rene Haas"


def test_how_long_is_answered_by_a_span_of_time_not_a_count(newsdesk):
    assert newsdesk.ask("How long is Arm's lease on the former customs house?").short == "12 years"


def test_each_cause_of_a_refusal_has_its_own_reason(seeded, tmp_path):
    empty = Archive(tmp_path / "empty")
    (tmp_path / "nothing").mkdir()
    empty.ingest([tmp_path / "nothing"])
    reasons = {
        RefusalCode.EMPTY_INDEX: empty.ask(SEED_QUESTION),
        RefusalCode.FILTERED_OUT: seeded.ask(SEED_QUESTION, since="2030-01-01"),
        RefusalCode.NOT_ENGLISH: seeded.ask("Wer ist nach Moskau gereist, um mit Putin zu verhandeln?"),
        RefusalCode.FOREIGN_OUTLET: seeded.ask("According to a Bloomberg article, who traveled to Moscow?"),
        RefusalCode.NO_EVIDENCE: seeded.ask("What is the boiling point of tungsten?"),
    }
    for code, answer in reasons.items():
        assert answer.refused and answer.refusal_reason.code is code, code
    assert "published since 2030-01-01" in reasons[RefusalCode.FILTERED_OUT].text
    assert "QA_EMBED_MODEL" in reasons[RefusalCode.NOT_ENGLISH].text and "German" in reasons[RefusalCode.NOT_ENGLISH].text
    assert "empty" in reasons[RefusalCode.EMPTY_INDEX].text
    assert len({a.text for a in reasons.values()}) == len(reasons)


def test_a_follow_up_is_answered_for_its_own_words(seeded):
    chat = Conversation(seeded)
    chat.ask(SEED_QUESTION)
    answer = chat.ask("And what did Putin dismiss?")
    assert any("dismissed parts of Washington" in q for q in quotes(answer))
    assert not any("traveled to Moscow" in q for q in quotes(answer))


def test_each_passage_is_cited_once_with_all_its_quotes(seeded, newsdesk):
    for archive, question in [
        (seeded, "What did engineers replace on the harbour bridge and what did the bill come to?"),
        (newsdesk, "Did Germany pledge missiles to Ukraine?"),
    ]:
        answer = archive.ask(question)
        numbers = [c.n for c in answer.citations]
        assert numbers == list(range(1, len(numbers) + 1))
        assert len({(c.title, c.text) for c in answer.citations}) == len(numbers)
        for citation in answer.citations:
            assert all(f"{q} [{citation.n}]" in answer.text and q in citation.text for q in citation.quotes)


def _found(question: str, passage: str, article: str) -> Retrieval:
    """A Retrieval of one passage of a longer article, as the retriever would return it."""
    node = TextNode(
        text=passage,
        metadata={Meta.TITLE: "Winter on the stage", Meta.SOURCE: "Stage Door", Meta.PUBLISHED: "2023-11-20"},
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id="roundup")},
    )
    weights = dict.fromkeys(terms(question), 1.0)
    return Retrieval(question, [Passage(node, 1.0, 0.6)], term_weights=weights, articles={"roundup": article})


def test_a_detail_of_the_question_that_stands_only_in_another_story_of_the_article_is_refused():
    answerer = ExtractiveAnswerer(Settings())
    cast = "The Old Vic cast the actor Owen Teale as Scrooge in its production of A Christmas Carol."
    elsewhere = "Elsewhere, the broadcaster renewed its sports documentary for a second season."
    question = "Which actor did the Old Vic cast as Scrooge in the second season of A Christmas Carol?"
    refused = answerer.answer(_found(question, cast, f"{cast} {elsewhere}"))
    again = f"{cast} It is the play’s second season there."
    answered = answerer.answer(_found(question, again, again))
    assert refused.refused and "second season" in refused.refusal_reason.sentence
    assert answered.short == "Owen Teale"


def test_the_commas_around_an_apposition_keep_a_question_about_one_article():
    answerer = ExtractiveAnswerer(Settings())
    said = "Lantern Keeper, the fifth installment in the Hollow horror franchise, arrives on Netflix this week alongside Jawan."
    asked = "Which film, the {} installment in the Hollow horror franchise, arrived on Netflix this week?"
    refused = answerer.answer(_found(asked.format("sixth"), said, said))
    assert refused.refused and "sixth installment" in refused.refusal_reason.sentence
    assert answerer.answer(_found(asked.format("fifth"), said, said)).short == "Lantern Keeper"
