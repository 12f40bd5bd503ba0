"""Question analysis (outlets, days and months named in a question) and per-outlet interleaving."""

from __future__ import annotations

from datetime import date

import pytest
from llama_index.core.schema import TextNode

from qa.analysis import Period, foreign_outlets, named_outlets, named_periods, short_forms
from qa.retrieve import interleave
from qa.types import Passage

OUTLETS = [
    "TechCrunch",
    "The Verge",
    "Fortune",
    "Wired",
    "Cnbc | World Business News Leader",
    "BBC News - Technology",
    "BBC News - Entertainment & Arts",
    "The Independent - Sports",
    "Live Science: The Most Interesting Articles",
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("According to TechCrunch, what did the startup raise?", [["TechCrunch"]]),
        ("What did The Verge report after TechCrunch's October 7 story?", [["The Verge"], ["TechCrunch"]]),
        ("Did both 'Wired' and 'the Verge' say the launch slipped?", [["Wired"], ["The Verge"]]),
        ("What did CNBC report about the merger?", [["Cnbc | World Business News Leader"]]),
        ("Does the BBC News piece agree?", [["BBC News - Entertainment & Arts", "BBC News - Technology"]]),
        ("Was the BBC News - Technology article first?", [["BBC News - Technology"]]),
        ("What did The Independent say about the match?", [["The Independent - Sports"]]),
        ("What did Live Science find about the comet?", [["Live Science: The Most Interesting Articles"]]),
        ("Did TechCrunch and then TechCrunch again cover it?", [["TechCrunch"]]),
    ],
)
def test_outlets_named_in_a_question_are_found_in_order(question, expected):
    assert named_outlets(question, OUTLETS) == expected


@pytest.mark.parametrize(
    "question",
    [
        "Who made a fortune selling wired headphones?",
        "What did the verge of the cliff look like?",
        "Which techcrunchy snack won?",
        "Who traveled to Moscow for talks with Putin?",
    ],
)
def test_common_words_and_outlets_the_index_lacks_are_not_outlets(question):
    assert named_outlets(question, OUTLETS) == []


def day(y: int, m: int, d: int) -> Period:
    return Period(date(y, m, d), date(y, m, d))


@pytest.mark.parametrize(
    ("question", "periods"),
    [
        ("What did The Verge report after TechCrunch's story published on October 7, 2023?", [day(2023, 10, 7)]),
        ("Did the 3rd November 2023 piece and the one from 2023-11-27 agree?", [day(2023, 11, 3), day(2023, 11, 27)]),
        ("Was the September 30th, 2023 report first?", [day(2023, 9, 30)]),
        ("What happened in November 2023?", [Period(date(2023, 11, 1), date(2023, 11, 30))]),
        ("What did The Verge report after TechCrunch's October 7 story?", [day(2023, 10, 7), day(2024, 10, 7)]),
        (
            "Which games were played in February?",
            [Period(date(2023, 2, 1), date(2023, 2, 28)), Period(date(2024, 2, 1), date(2024, 2, 29))],
        ),
        ("Who scored on the 4th of May, 2024 at 10:30?", [day(2024, 5, 4)]),
        ("Was it published on February 30, 2023?", []),
        ("Who may win the derby at 7:30 in the evening?", []),
        ("Did Mayhem rank in the Top 100 of Marchers?", []),
    ],
)
def test_days_and_months_named_in_a_question_are_found_in_order(question, periods):
    assert named_periods(question, years=[2023, 2024]) == periods


def test_a_day_without_a_year_needs_an_archive_with_dates():
    assert named_periods("What was reported on October 7?", years=[]) == []


@pytest.mark.parametrize(
    ("question", "foreign"),
    [
        ("Considering a Bloomberg article and a report by Reuters, who led the round?", ["Bloomberg", "Reuters"]),
        ("What did an article in The Wall Street Journal and another by The Verge say?", ["Wall Street Journal"]),
        ("Was the 'Daily Planet' story about the mayor accurate?", ["Daily Planet"]),
        ("Did The Economist and Fortune both report on the merger, as covered by Al Jazeera?", ["Economist", "Al Jazeera"]),
    ],
)
def test_outlets_the_archive_lacks_are_found(question, foreign):
    assert foreign_outlets(question, OUTLETS) == foreign


@pytest.mark.parametrize(
    "question",
    [
        "What did a BBC piece say about the launch?",
        "Did TechCrunch report that the EU's investigation into X widened?",
        "Does the Independent article on the Sporting Lisbon game agree with the report by Wired?",
        "Between the TechCrunch report on Google published on October 7 and the report from The Verge, which is first?",
        "Was the defensive play of Jordan Smith reported as a strength by CNBC?",
        "Who wrote the report on the Acme merger in March?",
    ],
)
def test_outlets_of_the_archive_people_and_topics_are_not_foreign(question):
    assert foreign_outlets(question, OUTLETS) == []


def test_short_forms_of_long_outlet_names():
    assert short_forms("Cnbc | World Business News Leader") == {"Cnbc | World Business News Leader", "Cnbc", "CNBC"}
    assert short_forms("The Independent - Sports") >= {"The Independent", "Independent"}


def passages(*ids: str) -> list[Passage]:
    return [Passage(TextNode(id_=i, text=i), score=0.0) for i in ids]


def test_interleaving_takes_each_list_in_turn_and_each_passage_once():
    merged = interleave([passages("a1", "a2", "a3"), passages("b1", "a1", "b2"), passages("c1")])
    assert [p.node.node_id for p in merged] == ["a1", "b1", "c1", "a2", "a3", "b2"]


def test_a_question_about_two_outlets_gets_both_articles_near_the_top(tmp_path):
    from qa import Archive

    feed = tmp_path / "feed"
    feed.mkdir()
    for outlet, n in (("Coastal Courier", 6), ("Valley Times", 6)):
        for i in range(n):
            (feed / f"{outlet[:3]}{i}.md").write_text(
                f"---\ntitle: Ferry timetable notice {i}\nsource: {outlet}\nurl: https://{outlet[:3].lower()}.example/{i}\n---\n"
                f"The ferry timetable changes in week {i}; ferry crews and ferry passengers should check the ferry board.\n"
            )
    archive = Archive(tmp_path / "idx")
    archive.ingest([feed])
    top = archive.retrieve("Did Valley Times and Coastal Courier both report the ferry timetable change?", k=2)
    assert {p.metadata["source"] for p in top.passages} == {"Valley Times", "Coastal Courier"}


def test_a_named_day_brings_that_days_article_first(tmp_path):
    from qa import Archive

    feed = tmp_path / "feed"
    feed.mkdir()
    for day in range(1, 7):
        (feed / f"rail{day}.md").write_text(
            f"---\ntitle: Rail strike update {day}\nsource: Valley Times\ndate: 2024-03-0{day}\n---\n"
            "Rail unions and the operator met again about the strike; trains stayed in the depot.\n"
        )
    archive = Archive(tmp_path / "idx")
    archive.ingest([feed])
    top = archive.retrieve("What did the rail strike update published on March 4, 2024 say?", k=1)
    assert top.passages[0].metadata["published"] == "2024-03-04"
    top = archive.retrieve("What did the rail strike update of the 5th of March say?", k=1)
    assert top.passages[0].metadata["published"] == "2024-03-05"
