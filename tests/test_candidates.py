"""Short-answer candidates: the forms of one name counted together, and the spans that are not names
or not answers left out. Sentences are given directly, as the answerer passes them."""

from __future__ import annotations

from qa.candidates import RANKER, Candidacy, candidates, clear_winner
from qa.intent import analyze


def _ranked(question: str, *sentences: str, titles: tuple[str, ...] = ()) -> list[str]:
    evidence = [Candidacy(text, 1.0 - 0.01 * rank, rank, f"a{rank}") for rank, text in enumerate(sentences)]
    return [c.text for c in candidates(analyze(question), question, evidence, sentences, titles=titles)]


def test_initials_and_a_shortened_name_count_for_the_full_name():
    ranked = _ranked(
        "Who is the founder on trial for fraud?",
        "SBF told the jury on trial that the fraud was not his.",
        "Prosecutors say Sam Bankman-Fried directed the fraud.",
        "Caroline Ellison testified at the trial about fraud.",
    )
    assert ranked[0] == "Sam Bankman-Fried"
    assert "SBF" not in ranked


def test_a_possessive_ends_the_name_it_follows():
    ranked = _ranked("Which company reported revenue growth?", "Investors cheered Uber’s Q3 revenue growth this week.")
    assert ranked == ["Uber"]


def test_two_names_joined_by_a_hyphen_are_two_candidates():
    ranked = _ranked(
        "Which player was rumored in a relationship?", "The Taylor Swift-Travis Kelce relationship was rumored for weeks."
    )
    assert set(ranked) == {"Taylor Swift", "Travis Kelce"}


def test_capitalized_common_words_and_contractions_are_not_names():
    ranked = _ranked(
        "Which company makes the handheld?",
        "After months of work, Nintendo makes the new handheld.",
        "Reviewers wrote that the handheld is better, After all, I’m sure it makes them happy after a patch.",
    )
    assert ranked == ["Nintendo"]


def test_an_amount_keeps_its_currency_and_its_conversion_is_not_a_candidate():
    ranked = _ranked("How much did Microsoft pay for the studio?", "Microsoft paid $69bn (£56bn) for the studio.")
    assert ranked == ["$69bn"]


def test_a_tie_is_no_answer_and_the_name_the_passages_share_wins_a_question_about_several_articles():
    question = "Which company released the handheld?"
    sentences = ("On Thursday, Sony released the handheld.", "On Friday, Nintendo released the handheld.")
    evidence = [Candidacy(s, 1.0, 0, "a") for s in sentences]
    passages = (*sentences, "Sony's new handheld is here.", "Sony ships the OLED model.")
    assert clear_winner(candidates(analyze(question), question, evidence, sentences)) is None
    winner = clear_winner(candidates(analyze(question), question, evidence, passages, several=True))
    assert winner is not None and winner.text == "Sony"


def test_an_amount_in_a_currency_the_entity_model_misses_is_money_without_its_rate():
    ranked = _ranked(
        "How much did the investor pay for the fund manager?",
        "He bought the fund manager for NIS 405 million from its founders.",
    )
    assert ranked == ["NIS 405 million"]
    ranked = _ranked("How much per month does the subscription cost?", "The subscription costs €9.99pm on the web.")
    assert ranked == ["€9.99"]
    assert _ranked("How much did the club pay for the bowler?", "The club paid Rs 24.75 Cr for the bowler.") == ["Rs 24.75 Cr"]
    assert _ranked("What share of the supply moves through the port?", "The port moves 3 per cent of the supply.") == [
        "3 per cent"
    ]


def test_one_amount_written_several_ways_is_one_candidate():
    ranked = _ranked(
        "How much did shoppers spend online on the holiday?",
        "Shoppers spent a record $5.6 billion online on the holiday.",
        "Holiday online sales rose to $5.6B, while shoppers spent $31.7B worldwide.",
    )
    assert ranked[0] == "$5.6 billion"
    assert "$5.6B" not in ranked and "record $5.6 billion" not in ranked


def test_on_what_date_asks_for_a_day_not_a_season():
    ranked = _ranked(
        "On what date does the handheld go on sale?",
        "The handheld goes on sale in winter 2023, and orders open on November 16th at 1pm.",
    )
    assert ranked == ["November 16th"]


def test_the_answer_stands_after_the_preposition_the_question_puts_before_its_question_word():
    ranked = _ranked(
        "In which town did Zamora found the parts supplier?",
        "From a house in Hove, Zamora founded the parts supplier of London.",
    )
    assert ranked[0] == "Hove"


def test_a_name_may_hold_the_noun_that_names_the_type_asked_for():
    ranked = _ranked(
        "At which German university does Bielecki study jellyfish?", "Bielecki studies jellyfish at Kiel University."
    )
    assert ranked == ["Kiel University"]


def test_a_question_about_one_article_is_answered_from_its_best_sentence_not_the_name_the_passages_repeat():
    question = "Which company released the handheld?"
    evidence = [
        Candidacy("On Friday, Nintendo released the handheld.", 1.0, 0, "a"),
        Candidacy("Sony released a console.", 0.7, 1, "a"),
    ]
    passages = ("Sony released a console.", "Sony's new handheld is here.", "Sony ships the OLED model.", "Sony leads.")
    one = clear_winner(candidates(analyze(question), question, evidence, passages, several=False))
    several = clear_winner(candidates(analyze(question), question, evidence, passages, several=True))
    assert one is not None and one.text == "Nintendo"
    assert several is not None and several.text == "Sony"


def test_the_ranker_weighs_every_feature_of_a_candidate():
    [candidate] = candidates(analyze("Who sang?"), "Who sang?", [Candidacy("Ada Lovelace sang.", 1.0, 0, "a")])
    assert set(candidate.features()) == set(RANKER)


def test_asked_for_the_subject_the_first_name_of_the_type_in_the_sentence_wins_clearly():
    question = "Which company won the contract?"
    sentence = "Microsoft won the contract after Google dropped out of the contract talks."
    winner = clear_winner(candidates(analyze(question), question, [Candidacy(sentence, 1.0, 0, "a")], [sentence], several=False))
    assert winner is not None and winner.text == "Microsoft"


def test_a_question_for_a_kind_of_thing_is_answered_by_the_common_noun_the_passages_share():
    question = "What type of businesses, as reported by two outlets, lend money against the value of a harvest?"
    sentences = (
        "Crop lenders lend money against the value of a harvest, and farmers repay them after the sale.",
        "In bad years, crop lenders lose money when the value of a harvest falls.",
        "Farmers say the lenders ask for collateral.",
    )
    evidence = [Candidacy(text, 1.0 - 0.1 * rank, rank, f"a{rank}") for rank, text in enumerate(sentences)]
    winner = clear_winner(candidates(analyze(question), question, evidence, sentences, several=True))
    assert winner is not None and winner.text.lower() == "crop lenders"


def test_a_title_in_quotation_marks_or_set_off_after_the_kind_of_work_is_a_candidate():
    question = "What is the title of the singer's memoir?"
    assert _ranked(question, "While promoting her new memoir, Lanterns at Noon, the singer spoke of her mother.") == [
        "Lanterns at Noon"
    ]
    assert _ranked(question, "The singer's memoir “Ask the River” sold out in a week.") == ["Ask the River"]
    assert _ranked(question, "“We loved writing the memoir,” the singer said of it.") == []
    assert _ranked(question, "In her memoir, the singer said the tour had changed her.") == []
