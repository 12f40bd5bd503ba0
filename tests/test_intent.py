"""Question analysis: the type of answer a question asks for, and the constraints evidence must meet."""

from __future__ import annotations

import pytest

from qa.intent import AnswerType, Constraint, Slot, analyze, answer_type, constraints
from qa.language import language


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who traveled to Moscow for talks with Putin?", AnswerType.PERSON),
        ("Which betting platform offers a welcome bonus of up to $1000?", AnswerType.ORGANIZATION),
        ("Which grower expects the smallest harvest in a decade?", AnswerType.PERSON),
        ("In which city did the tour kick off?", AnswerType.PLACE),
        ("When did the bridge reopen?", AnswerType.DATE),
        ("How many cables did engineers replace?", AnswerType.NUMBER),
        ("Which outlet reported the frost?", AnswerType.OUTLET),
        ("What is the title of her debut feature film?", AnswerType.WORK),
        ("Did the frost damage the orchards?", AnswerType.YES_NO),
        ("Does the Verge article praise the phone while the Wired article criticizes it?", AnswerType.COMPARISON),
        ("Did The Verge report on the phone before TechCrunch did?", AnswerType.ORDER),
        ("What did Putin dismiss?", AnswerType.OPEN),
        ("When did she retire, and what did her logbook record?", AnswerType.OPEN),
        ("Which Columbia University chemist shared the Nobel Prize?", AnswerType.PERSON),
        ("Which NFL wide receiver leads the league in yards?", AnswerType.PERSON),
        ("What was the band's biggest single of 1985?", AnswerType.WORK),
        ("What percentage of users pay for music?", AnswerType.NUMBER),
        ("Which team did the player join?", AnswerType.ORGANIZATION),
        ("What is the name of the electric pickup truck Musk unveiled?", AnswerType.WORK),
        ("What type of establishments adjust betting lines?", AnswerType.KIND),
        ("What is the common term for lenders that take a harvest as collateral?", AnswerType.KIND),
        ("What is the term of his contract?", AnswerType.OPEN),
        ("Who is the founder facing trial, and who is accused of fraud by prosecutors?", AnswerType.PERSON),
        ("Which San Francisco nonprofit's study found that kids use phones in class?", AnswerType.ORGANIZATION),
        ("Which streamer proposed to her girlfriend onstage?", AnswerType.NAME),
        ("Which of them won?", AnswerType.OPEN),
        ("Which is bigger, Apple or Google?", AnswerType.OPEN),
        ("Which way did the vote go?", AnswerType.OPEN),
    ],
)
def test_the_answer_type_comes_from_the_question_word_and_the_noun_after_it(question, kind):
    assert answer_type(question) is kind


def test_amounts_ask_for_money_and_shares_ask_for_percentages():
    assert analyze("How much did Uber earn in the third quarter?").labels == {"MONEY"}
    assert analyze("What percentage stake did SoftBank take in the startup?").labels == {"PERCENT"}
    assert analyze("How many fans attended the final?").labels == {"CARDINAL", "QUANTITY"}
    assert analyze("How much horsepower do its three motors deliver?").labels == {"CARDINAL", "QUANTITY"}
    assert analyze("By how much did the index fall?").labels == {"MONEY", "PERCENT", "CARDINAL", "QUANTITY"}
    assert analyze("How large were the retailer's pre-tax losses last year?").labels == {"MONEY"}
    assert analyze("How tall is the new tower?").labels == {"CARDINAL", "QUANTITY"}
    assert analyze("How many losses did the team suffer before it paid off its coach?").labels == {"CARDINAL", "QUANTITY"}
    assert analyze("How many dollars did the club pay?").labels == {"MONEY"}


def test_a_venue_is_asked_of_buildings_and_a_city_of_settlements():
    assert analyze("At which venue was the fight held?").labels == {"FAC", "ORG"}
    assert analyze("In which city did the tour open?").labels == {"GPE"}
    assert analyze("Where did the tour open?").labels == {"GPE", "LOC", "FAC"}


@pytest.mark.parametrize(
    ("question", "kind", "text", "met", "missed"),
    [
        ("Who plays the duchess in season 4 of The Palace?", "number", "season 4", "the fourth season", "season 3"),
        ("How much did Uber earn in Q1 2021?", "number", "Q1", "first-quarter results", "second quarter"),
        ("Who won Super Bowl LVIII?", "number", "Super Bowl LVIII", "super bowl 58", "Super Bowl LVII"),
        ("What is the value of his 10-year contract?", "number", "10-year", "a ten-year deal", "an eight-year deal"),
        ("Which bank paid a fine of $2 million?", "number", "$2 million", "paid 2m dollars", "paid $20 million"),
        ("Which study found that 87% of kids use phones in class?", "number", "87%", "87 percent of them", "97% of kids"),
        ("Who won cloud rights for 10 years?", "number", "10 years", "a 10-year licence", "for 15 years"),
        ("Who won cloud rights for 3 years?", "number", "3 years", "for three years", "for four years"),
        ("Who won the prize in 2022?", "year", "2022", "the 2022 prize", "the 2021 prize"),
        (
            "Whose liver did he receive in his second transplant?",
            "ordinal",
            "second transplant",
            "a 2nd transplant",
            "his first transplant",
        ),
        (
            "What is the director's 27th feature-length film?",
            "ordinal",
            "27th feature-length",
            "and his 27th, a western",
            "his 26th",
        ),
        ("At which venue was UFC 295 held?", "number", "UFC 295", "ufc 295 in new york", "UFC 296"),
        ("Whom did the boxer beat to move to 24-0?", "number", "24-0", "improved to 24–0", "improved to 25-0"),
        ("How much did the startup raise in its Series B round?", "number", "Series B", "a series b led by", "a Series A led by"),
    ],
)
def test_hard_constraints_are_found_and_met_only_by_the_same_detail(question, kind, text, met, missed):
    [constraint] = [c for c in analyze(question).constraints if c.kind == kind]
    assert constraint.text == text
    assert constraint.met_by(met) and not constraint.met_by(missed)


def test_a_year_is_also_met_by_an_article_published_in_it():
    [year] = [c for c in analyze("Who won the prize in 2022?").constraints if c.kind == "year"]
    assert year.met_by("The jury named its winner.", "2022-06-01") and not year.met_by("The jury named its winner.", "2021-06-01")


def test_a_year_that_titles_a_work_and_an_age_are_not_constraints():
    assert analyze("Where did she store the demos for her album 1989?").constraints == ()
    assert [c.kind for c in analyze("When did the 17-year-old swimmer win gold in 2023?").constraints] == ["year"]
    assert [c.kind for c in analyze("When did the 17 years old swimmer win gold in 2023?").constraints] == ["year"]


def test_an_ordinal_in_a_date_or_before_a_function_word_is_not_a_constraint():
    for question in ("Who spoke at the October 6th meeting?", "Which firm shares data with third parties?"):
        assert not [c for c in analyze(question).constraints if c.kind == "number"]


def test_a_dotted_abbreviation_and_an_acronym_in_a_name_meet_a_name_constraint():
    [place] = [c for c in analyze("What share of U.S. users pay for music?").constraints if c.kind == "entity"]
    assert place.met_by("Most US users pay nothing.")
    [firm] = [c for c in analyze("Where did Jose Zamora found AOG Technics?").constraints if c.text == "AOG Technics"]
    assert firm.met_by("Zamora founded AOG in 2015.") and not firm.met_by("Zamora founded a firm in 2015.")


def test_a_person_is_met_by_the_surname_and_any_other_name_by_all_its_words():
    names = {c.text: c for c in analyze("Did Sam Altman watch Beyoncé's Formation World Tour?").constraints}
    assert names["Sam Altman"].met_by("Altman said so.")
    assert not names["Formation World Tour"].met_by("The Renaissance World Tour opened.")
    assert names["Formation World Tour"].met_by("The world tour called Formation opened.")
    [department] = analyze("Did the U.S. Justice Department sue?").constraints
    assert department.met_by("The Department of Justice sued.")
    arena = Constraint("entity", "ABBA Arena", ("abba arena",), "FAC")
    assert arena.met_by("ABBA fans came.") and not arena.met_by("The arena opened.")


@pytest.mark.parametrize(
    ("question", "where"),
    [
        ("Which company was granted the rights?", Slot()),
        ("Which company has bought Flexport?", Slot()),
        ("Who said that the company did not pay?", Slot()),
        ("Which company did Flexport buy?", Slot(object=True)),
        ("Which company has Apple bought?", Slot(object=True)),
        ("In which town did Zamora found the firm?", Slot(object=True, preposition="in")),
        ("At which venue was the fight held?", Slot(preposition="at")),
    ],
)
def test_the_answer_is_the_subject_unless_an_auxiliary_and_its_subject_follow_the_question_word(question, where):
    assert analyze(question).slot == where


def test_a_name_is_taken_whole_without_quotes_and_a_nationality_is_no_name_constraint():
    found = {c.text: c.kind for c in analyze("Did the Taiwanese driver of the Rivian R1T win?").constraints}
    assert found == {"Taiwanese": "nationality", "Rivian R1T": "entity"}
    found = {c.text: c.kind for c in analyze("In which town do the 'Mombies' stage a zombie dance?").constraints}
    assert found == {"Mombies": "entity"}


def test_a_word_in_lower_case_is_not_a_name_constraint():
    question = "How many daily active users did Pebble, the app formerly known as T2, max out at before shutting down?"
    names = [c.text for c in analyze(question).constraints if c.kind == "entity"]
    assert "Pebble" in names and all(not name.islower() for name in names)


def test_named_entities_are_constraints_but_outlets_are_not():
    names = [c.text for c in analyze("According to TechCrunch, how much did Binance pay?", ("TechCrunch",)).constraints]
    assert "Binance" in names and "TechCrunch" not in names


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("Who traveled to Moscow for talks with Putin?", "en"),
        ("Wie viele Soldaten hat Deutschland im Dezember 2025 in die Ukraine geschickt?", "de"),
        ("Qui a remporté la Coupe du monde de football en 2022 ?", "fr"),
    ],
)
def test_the_language_of_a_question_is_told(question, code):
    assert language(question) == code


def test_a_role_of_a_short_name_is_checked_near_that_name():
    [role] = [c for c in constraints("Who is the CEO of HP?") if c.kind == "role"]
    assert role.met_by("HP CEO Enrique Lores said the printers would ship in May.")
    assert not role.met_by(
        "HP shares rose sharply in early trading on Tuesday, while the CEO of a rival firm said prices would fall."
    )
