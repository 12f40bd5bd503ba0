"""Multi-turn chat offline: follow-ups carry the previous question and filters; conversations are separate."""

from __future__ import annotations

import pytest

from qa.chat import Conversation
from qa.extractive import is_follow_up

from conftest import SEED_QUESTION


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("And how did Putin describe it?", True),
        ("What about the intelligence sharing?", True),
        ("Did they reach a deal?", True),
        ("How many cables did engineers replace on the harbour bridge?", False),
        ("Who is John Foreman?", False),
    ],
)
def test_follow_ups_are_told_apart_from_new_questions(question, follow_up):
    assert is_follow_up(question) is follow_up


def test_a_follow_up_is_asked_with_the_previous_question(seeded):
    chat = Conversation(seeded)
    chat.ask(SEED_QUESTION)
    answer = chat.ask("And what did Putin dismiss?")
    assert chat.turns[-1].standalone == f"{SEED_QUESTION} And what did Putin dismiss?"
    assert not answer.refused and any("dismissed parts of Washington" in c.quote for c in answer.citations)


def test_a_new_question_stands_alone(seeded):
    chat = Conversation(seeded)
    chat.ask(SEED_QUESTION)
    chat.ask("How many cables did engineers replace on the harbour bridge?")
    assert chat.turns[-1].standalone == "How many cables did engineers replace on the harbour bridge?"


def test_filters_carry_over_unless_a_turn_sets_its_own(seeded):
    chat = Conversation(seeded)
    assert chat.ask(SEED_QUESTION, since="2025-12-08").refused
    assert chat.ask("And who went with Witkoff?").refused
    assert not chat.ask("Who went with Witkoff to Moscow?", since="2025-01-01").refused


def test_conversations_do_not_share_history(seeded):
    first, second = Conversation(seeded), Conversation(seeded)
    first.ask(SEED_QUESTION)
    assert second.standalone("And how did Putin describe it?") == "And how did Putin describe it?"
