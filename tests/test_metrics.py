"""Scoring functions on small cases worked out by hand."""

from __future__ import annotations

import pytest

from qa.metrics import (
    article_recall,
    average_precision,
    contains_answer,
    exact_match,
    hit_ranks,
    hits_at,
    normalize_answer,
    percentile,
    precision_recall,
    reciprocal_rank,
    token_f1,
)

FACT_A = "The bridge reopened on Thursday."
FACT_B = "Engineers replaced 412 cables."


def test_a_chunk_is_a_hit_when_it_holds_a_fact_whatever_its_spaces_and_newlines():
    chunks = ["Nothing here.", "Then\nThe bridge  reopened on Thursday. More text.", "Engineers replaced 412 cables."]
    assert hit_ranks(chunks, [FACT_A, FACT_B]) == [False, True, True]


def test_a_fact_split_across_two_chunks_is_a_miss():
    chunks = ["... The bridge reopened", "on Thursday. ..."]
    assert hit_ranks(chunks, [FACT_A]) == [False, False]


def test_hits_at_k_and_reciprocal_rank():
    hits = [False, False, True, False, False, False, False, False, False, False, True]
    assert (hits_at(hits, 2), hits_at(hits, 4), hits_at(hits, 10)) == (0.0, 1.0, 1.0)
    assert reciprocal_rank(hits) == pytest.approx(1 / 3)
    assert reciprocal_rank([False] * 10 + [True]) == 0.0


def test_average_precision_counts_newly_found_facts_at_each_rank_over_min_facts_and_k():
    # Fact A first found at rank 2, fact B at rank 4; rank 3 repeats A and adds nothing:
    # (1/2 + 1/4) / min(2, 10) = 0.375
    chunks = ["x", FACT_A, FACT_A, FACT_B, "y"]
    assert average_precision(chunks, [FACT_A, FACT_B]) == pytest.approx(0.375)
    # One chunk holding both facts at rank 1: (2/1) / 2 = 1.0
    assert average_precision([FACT_A + " " + FACT_B], [FACT_A, FACT_B]) == pytest.approx(1.0)
    # Only within the first k chunks.
    assert average_precision(["x"] * 10 + [FACT_A], [FACT_A]) == 0.0


def test_article_recall_is_the_share_of_evidence_articles_retrieved():
    assert article_recall(["a", "b", "a", "c"], ["a", "d"]) == 0.5
    assert article_recall(["x"] * 10 + ["a"], ["a"]) == 0.0


def test_answers_are_normalized_and_yes_no_true_false_folded():
    assert normalize_answer("The  U.S. Army!") == "us army"
    assert exact_match("Yes.", ["yes"]) == 1.0
    assert exact_match("TRUE", ["Yes"]) == 1.0
    assert exact_match("false", ["No"]) == 1.0
    assert exact_match("no", ["Yes"]) == 0.0


def test_token_f1_takes_the_best_accepted_answer():
    assert token_f1("Steve Witkoff traveled", ["Steve Witkoff", "Jared Kushner"]) == pytest.approx(0.8)
    assert token_f1("nothing alike", ["Steve Witkoff"]) == 0.0


def test_contains_matches_whole_words_only():
    assert contains_answer("Envoy Steve Witkoff went to Moscow. [1]", ["steve witkoff"]) == 1.0
    assert contains_answer("He said no.", ["No"]) == 1.0
    assert contains_answer("It is nothing.", ["no"]) == 0.0


def test_refusal_precision_and_recall_count_right_and_wrong_refusals():
    refused = [True, True, False, False]
    unanswerable = [True, False, True, False]
    assert precision_recall(refused, unanswerable) == (0.5, 0.5)
    assert precision_recall([False, False], [True, False]) == (None, 0.0)


def test_percentile():
    assert percentile([10, 20, 30, 40, 50], 50) == 30
    assert percentile([5.0], 95) == 5.0
    assert percentile([], 50) == 0.0
