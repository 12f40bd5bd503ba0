"""Reading question sets: the JSONL format and MultiHop-RAG's file as it is."""

from __future__ import annotations

import json

import pytest

from qa.questions import read_questions

from conftest import REPO, SHARED

MULTIHOP = SHARED / "datasets/multihop-rag/MultiHopRAG.json"


def test_jsonl_set_with_a_malformed_line_reports_its_number_and_reads_the_rest(tmp_path):
    lines = [
        json.dumps({"id": "a", "question": "Q1?", "answers": ["x"], "evidence": [{"title": "T", "fact": "F"}], "type": "t"}),
        "{not json",
        json.dumps({"id": "b", "question": "Q2?", "unanswerable": True}),
        json.dumps({"id": "c", "answers": ["no question"]}),
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n")
    questions = read_questions(path)
    assert [q.id for q in questions.questions] == ["a", "b"]
    assert questions.questions[0].evidence[0].fact == "F" and questions.questions[1].unanswerable
    assert [p.split(":")[0] for p in questions.problems] == ["line 2", "line 4"]


def test_splits_take_even_and_odd_positions_and_types_and_limit_narrow_them(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text(
        "".join(json.dumps({"id": str(i), "question": f"Q{i}?", "type": "ab"[i % 2 and i > 2]}) + "\n" for i in range(6))
    )
    questions = read_questions(path)
    assert [q.id for q in questions.select("dev")] == ["0", "2", "4"]
    assert [q.id for q in questions.select("test")] == ["1", "3", "5"]
    assert [q.id for q in questions.select("all", types=["b"])] == ["3", "5"]
    assert [q.id for q in questions.select("test", limit=2)] == ["1", "3"]


def test_the_seed_question_set_has_answerable_and_unanswerable_questions():
    questions = read_questions(REPO / "evals/seed.jsonl")
    assert questions.problems == []
    assert len(questions.questions) >= 15
    assert sum(q.unanswerable for q in questions.questions) >= 3


@pytest.mark.skipif(not MULTIHOP.exists(), reason="../shared not beside the repo")
def test_multihop_rag_file_is_read_as_it_is():
    questions = read_questions(MULTIHOP)
    assert questions.format == "multihop-rag" and questions.problems == []
    assert len(questions.questions) == 2556
    assert len(questions.select("dev")) == len(questions.select("test")) == 1278
    assert sum(q.unanswerable for q in questions.questions) == 301
    assert all(q.type == "null_query" for q in questions.questions if q.unanswerable)
    first = questions.questions[0]
    assert first.answers and 2 <= len(first.evidence) <= 4 and all(e.fact and e.title for e in first.evidence)
