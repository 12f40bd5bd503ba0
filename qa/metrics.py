"""Scoring functions for evaluation runs: retrieval, answers, citations and refusals.

Retrieval follows MultiHop-RAG's own scoring: spaces and newlines are removed from chunks and
facts; a chunk is a hit when it contains one of the question's gold facts whole (a fact split
across two chunks is a miss).
"""

from __future__ import annotations

import re
import statistics
import string
from collections import Counter
from collections.abc import Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation + "‘’“”")
_FOLDS = {"true": "yes", "false": "no"}


def _squash(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


def hit_ranks(chunks: Sequence[str], facts: Sequence[str]) -> list[bool]:
    """For each retrieved chunk in rank order, whether it contains a gold fact."""
    squashed = [_squash(f) for f in facts if f.strip()]
    return [any(f in _squash(chunk) for f in squashed) for chunk in chunks]


def hits_at(hits: Sequence[bool], k: int) -> float:
    """1.0 when a hit is among the first k chunks."""
    return float(any(hits[:k]))


def reciprocal_rank(hits: Sequence[bool], k: int = 10) -> float:
    """1 / rank of the first hit within the first k chunks, else 0."""
    return next((1.0 / rank for rank, hit in enumerate(hits[:k], start=1) if hit), 0.0)


def average_precision(chunks: Sequence[str], facts: Sequence[str], k: int = 10) -> float:
    """MAP@k's term for one question, as MultiHop-RAG defines it: at each rank whose chunk holds
    facts not found higher up, add (number of those new facts) / rank; divide by min(#facts, k)."""
    squashed = list(dict.fromkeys(_squash(f) for f in facts if f.strip()))
    if not squashed:
        return 0.0
    found: set[str] = set()
    total = 0.0
    for rank, chunk in enumerate(chunks[:k], start=1):
        text = _squash(chunk)
        new = [f for f in squashed if f in text and f not in found]
        found.update(new)
        total += len(new) / rank
    return total / min(len(squashed), k)


def article_recall(retrieved_articles: Sequence[str], evidence_articles: Sequence[str], k: int = 10) -> float:
    """Share of the evidence articles present among the articles of the first k chunks."""
    wanted = set(evidence_articles)
    return len(wanted & set(retrieved_articles[:k])) / len(wanted) if wanted else 0.0


def normalize_answer(text: str) -> str:
    """Lower case, no punctuation or articles, single spaces; true/false folded to yes/no."""
    words = _ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION)).split()
    return " ".join(_FOLDS.get(w, w) for w in words)


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when the normalized prediction equals a normalized accepted answer."""
    return float(any(normalize_answer(prediction) == normalize_answer(a) for a in answers))


def token_f1(prediction: str, answers: Sequence[str]) -> float:
    """The best token-overlap F1 of the prediction against any accepted answer."""
    predicted = normalize_answer(prediction).split()
    best = 0.0
    for answer in answers:
        gold = normalize_answer(answer).split()
        common = sum((Counter(predicted) & Counter(gold)).values())
        if common:
            precision, recall = common / len(predicted), common / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def contains_answer(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when a normalized accepted answer appears, as whole words, in the normalized prediction."""
    text = f" {normalize_answer(prediction)} "
    return float(any(normalize_answer(a) and f" {normalize_answer(a)} " in text for a in answers))


def short_correct(short: str, answers: Sequence[str]) -> float:
    """1.0 when a normalized short answer equals an accepted answer, holds one as whole words, or is
    held in one as whole words ("Bankman-Fried" for "Sam Bankman-Fried")."""
    mine = normalize_answer(short)
    if not mine:
        return 0.0
    for answer in answers:
        gold = normalize_answer(answer)
        if gold and (mine == gold or f" {gold} " in f" {mine} " or f" {mine} " in f" {gold} "):
            return 1.0
    return 0.0


def precision_recall(predicted: Sequence[bool], actual: Sequence[bool]) -> tuple[float | None, float | None]:
    """Precision and recall of the positive class (e.g. refused vs. unanswerable); None when undefined."""
    true_positive = sum(p and a for p, a in zip(predicted, actual, strict=True))
    return (
        true_positive / sum(predicted) if any(predicted) else None,
        true_positive / sum(actual) if any(actual) else None,
    )


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (inclusive method); 0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[round(p) - 1]
