"""Fit the short-answer ranker's weights (`qa.candidates.RANKER`) on the tuning questions.

Each tuning question is asked of the index; the candidates the answerer ranks for it, with their
features, are kept, and a softmax over each question's candidates is fitted (L2-regularized, by
gradient descent on standardized features) so that a gold answer gets the most weight. The weights
it prints go into `RANKER`; it also prints, for several `COMMIT` values, how many questions would
get a right short answer.

    .venv/bin/python evals/fit_ranker.py --index .qa-mh \\
        --multihop ../shared/datasets/multihop-rag/MultiHopRAG.json --pairs evals/factoid_dev.jsonl

Only tuning sets belong here: MultiHop-RAG's dev split and `factoid_dev.jsonl`, never its test
split or `near_miss.jsonl`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from unittest import mock

import numpy as np

from qa import Archive, extractive
from qa.candidates import COMMIT, MARGIN, RANKER, Candidate
from qa.config import Settings
from qa.metrics import short_correct
from qa.questions import read_questions

_STEPS = 3000
_RATE = 0.5


def _questions(multihop: Path | None, pairs: list[Path]) -> list[tuple[str, list[str]]]:
    found = []
    if multihop:
        dev = read_questions(multihop).select("dev", types=["inference_query"])
        found += [(q.question, list(q.answers)) for q in dev]
    for path in pairs:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        found += [(row["question"], row["answers"]) for row in rows if not row["unanswerable"]]
    return found


def _groups(archive: Archive, questions: list[tuple[str, list[str]]]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each question's candidate features and whether each is a gold answer."""
    seen: list[list[Candidate]] = []

    def keep(*args: object, **kwargs: object) -> list[Candidate]:
        ranked = candidates(*args, **kwargs)
        seen.append(ranked)
        return ranked

    candidates = extractive.candidates
    groups = []
    with mock.patch.object(extractive, "candidates", keep):
        for question, gold in questions:
            seen.clear()
            archive.ask(question)
            ranked = seen[-1] if seen else []
            if ranked:
                features = np.array([[c.features()[name] for name in RANKER] for c in ranked])
                groups.append((features, np.array([short_correct(c.text, gold) == 1.0 for c in ranked], dtype=float)))
    return groups


def fit(groups: list[tuple[np.ndarray, np.ndarray]], l2: float) -> np.ndarray:
    """Weights over the raw features that maximize the softmax probability of the gold candidates."""
    stacked = np.vstack([x for x, _ in groups])
    mean, scale = stacked.mean(0), stacked.std(0) + 1e-9
    useful = [((x - mean) / scale, y) for x, y in groups if y.any()]
    weights = np.zeros(stacked.shape[1])
    for _ in range(_STEPS):
        gradient = 2 * l2 * weights
        for z, y in useful:
            s = z @ weights
            p = np.exp(s - s.max())
            p /= p.sum()
            gradient += z.T @ (p - p * y / (p * y).sum()) / len(useful)
        weights -= _RATE * gradient
    return weights / scale


def _right(groups: list[tuple[np.ndarray, np.ndarray]], weights: np.ndarray, commit: float) -> int:
    """How many questions the weights answer right, committing as `clear_winner` does."""
    right = 0
    for x, y in groups:
        s = x @ weights
        order = np.argsort(-s)
        p = np.exp(s - s.max())
        p /= p.sum()
        best = int(order[0])
        leads = len(s) == 1 or s[best] - s[order[1]] >= MARGIN
        right += int(p[best] >= commit and leads and y[best] > 0)
    return right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--multihop", type=Path, help="MultiHopRAG.json (its dev split's inference questions)")
    parser.add_argument("--pairs", type=Path, action="append", default=[], help="a pair file's answerable questions")
    parser.add_argument("--l2", type=float, default=0.01)
    args = parser.parse_args()
    questions = _questions(args.multihop, args.pairs)
    settings = Settings(answerer="extractive")
    print(f"fitting on {len(questions)} questions; retrieval settings: top_k {settings.top_k}, reranker {settings.reranker}")
    groups = _groups(Archive(args.index, settings=settings), questions)
    weights = fit(groups, args.l2)
    print("RANKER = {")
    for name, weight in zip(RANKER, weights, strict=True):
        print(f'    "{name}": {weight:.3f},')
    print("}")
    for commit in sorted({0.0, COMMIT, 0.4, 0.5}):
        print(f"COMMIT {commit}: right {_right(groups, weights, commit)} of {len(questions)} (the fitting questions)")


if __name__ == "__main__":
    main()
