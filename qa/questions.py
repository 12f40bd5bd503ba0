"""Evaluation question sets: the project's JSONL format and MultiHop-RAG's JSON file, read as-is.

JSONL, one question a line:
    {"id", "question", "answers": [...], "evidence": [{"title", "fact"?}], "type", "unanswerable"}
MultiHop-RAG: a JSON list of {"query", "answer", "question_type", "evidence_list"}, where
`null_query` questions are the unanswerable ones.
Splits: dev = questions at even positions of the file (0, 2, ...), test = odd positions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Split = Literal["dev", "test", "all"]
MULTIHOP_NULL = "null_query"


@dataclass(frozen=True)
class Evidence:
    """An article that supports the answer, and optionally the verbatim fact in it."""

    title: str
    fact: str = ""
    url: str = ""


@dataclass(frozen=True)
class Question:
    """One question of a set, with its accepted answers and evidence."""

    id: str
    question: str
    answers: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    type: str = ""
    unanswerable: bool = False


@dataclass
class QuestionSet:
    """The questions read from a file, and the lines that could not be read."""

    questions: list[Question] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    format: str = "jsonl"

    def select(self, split: Split = "all", limit: int | None = None, types: Sequence[str] = ()) -> list[Question]:
        """The questions of a split (by position in the file), of the given types, at most `limit`."""
        chosen = self.questions if split == "all" else self.questions[{"dev": 0, "test": 1}[split] :: 2]
        if types:
            chosen = [q for q in chosen if q.type in types]
        return chosen[:limit] if limit is not None else chosen


def read_questions(path: str | Path) -> QuestionSet:
    """Read a question set, telling the two formats apart by content."""
    text = Path(path).read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        return _read_multihop(json.loads(text))
    return _read_jsonl(text)


def _read_multihop(records: list[dict[str, Any]]) -> QuestionSet:
    questions = QuestionSet(format="multihop-rag")
    for position, record in enumerate(records):
        try:
            questions.questions.append(
                Question(
                    id=str(position),
                    question=record["query"],
                    answers=(str(record["answer"]),),
                    evidence=tuple(
                        Evidence(e.get("title", ""), e.get("fact", ""), e.get("url", "")) for e in record["evidence_list"]
                    ),
                    type=record["question_type"],
                    unanswerable=record["question_type"] == MULTIHOP_NULL,
                )
            )
        except (KeyError, TypeError, AttributeError) as error:
            questions.problems.append(f"record {position}: missing or malformed field {error}")
    return questions


def _read_jsonl(text: str) -> QuestionSet:
    questions = QuestionSet()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not str(record.get("question", "")).strip():
                raise ValueError("no question")
            answers = record.get("answers", [])
            if isinstance(answers, str):
                answers = [answers]
            evidence = tuple(
                Evidence(e["title"], e.get("fact", ""), e.get("url", "")) if isinstance(e, dict) else Evidence(str(e))
                for e in record.get("evidence", [])
            )
            questions.questions.append(
                Question(
                    id=str(record.get("id", number)),
                    question=str(record["question"]),
                    answers=tuple(str(a) for a in answers),
                    evidence=evidence,
                    type=str(record.get("type", "")),
                    unanswerable=bool(record.get("unanswerable", False)),
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            questions.problems.append(f"line {number}: {error.__class__.__name__}: {error}")
    return questions
