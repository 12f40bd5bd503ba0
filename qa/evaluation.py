"""Evaluation runs: ask every question of a set, score the run, and write its report.

Outputs in the report folder: report.json (every metric, by question type too, and the settings
used), report.md (the same as tables), chart.png (main metrics by question type) and
retrieval.json in MultiHop-RAG's own format, which its published scoring script reads unchanged.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from qa import metrics
from qa.archive import Archive
from qa.extractive import is_echo, is_heading
from qa.intent import FACTOID, answer_type
from qa.questions import Question
from qa.types import Answer, Citation, Passage

RETRIEVAL_K = 10
METRIC_NOTES = {
    "hits@k / mrr@10 / map@10": "a retrieved passage holds a gold evidence sentence within the top k; the mean of 1/rank "
    "of the first such passage; mean average precision (MultiHop-RAG's own scoring)",
    "article_recall@10": "share of the gold evidence articles among the top 10 passages' articles",
    "exact_match / f1": "the whole answer text against the gold answer; low by design for a cited answer of full "
    "sentences (the short answer is what is scored against the gold)",
    "contains": "the answer text (short answer and quotes) contains a gold answer",
    "short_given / short_accuracy": "share of questions with a short answer; share whose short answer equals, contains or "
    "is contained (as a whole name) in a gold answer",
    "echoes / headings / factoid_median": "quoted sentences that only repeat the question; headings quoted; median "
    "sentences quoted for factoid questions",
    "citations precision": "share of citations pointing at a gold evidence article",
    "refusal precision / recall": "of the refusals, share on unanswerable questions; of the unanswerable questions, share refused",
    "–": "not applicable to the questions of that column (e.g. no unanswerable questions)",
}
"""How report.md explains its table."""
CHART_METRICS = {
    ("retrieval", "hits@10"): "Hits@10",
    ("retrieval", "mrr@10"): "MRR@10",
    ("retrieval", "article_recall@10"): "article recall@10",
    ("answers", "contains"): "answer contains gold",
    ("citations", "precision"): "citation precision",
    ("refusal", "recall"): "refusal recall",
}


@dataclass
class Result:
    """One question's retrieval, answer and timings."""

    question: Question
    passages: list[Passage]
    answer: Answer
    retrieval_ms: float
    answer_ms: float


def run(archive: Archive, questions: Sequence[Question], *, progress: bool = False) -> tuple[list[Result], float]:
    """Ask every question (retrieval and answer timed apart, after one untimed warm-up question);
    return the results and the wall time in seconds."""
    if questions:
        archive.answer(archive.retrieve(questions[0].question))
    started = time.perf_counter()
    results = []
    for question in tqdm(questions, desc="Evaluating", unit="question", disable=not progress):
        t0 = time.perf_counter()
        retrieval = archive.retrieve(question.question, k=max(RETRIEVAL_K, archive.settings.top_k))
        t1 = time.perf_counter()
        answer = archive.answer(retrieval)
        t2 = time.perf_counter()
        results.append(Result(question, retrieval.passages, answer, (t1 - t0) * 1000, (t2 - t1) * 1000))
    return results, time.perf_counter() - started


def _article_key(title: str, url: str = "") -> str:
    return url or " ".join(title.lower().split())


def _evidence_keys(question: Question) -> set[str]:
    return {k for e in question.evidence for k in (_article_key(e.title), e.url) if k}


def _source_keys(title: str, url: str) -> set[str]:
    return {k for k in (_article_key(title), url) if k}


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else None


def score(results: Sequence[Result], wall_s: float = 0.0) -> dict[str, Any]:
    """Every metric over the results, without the by-type breakdown."""
    answerable = [r for r in results if not r.question.unanswerable]
    with_facts = [r for r in answerable if any(e.fact for e in r.question.evidence)]
    ranks = {id(r): metrics.hit_ranks([p.text for p in r.passages], [e.fact for e in r.question.evidence]) for r in with_facts}

    def article_recall(r: Result) -> float:
        evidence = {_article_key(e.title) for e in r.question.evidence}
        retrieved = [_article_key(p.title) for p in r.passages]
        return metrics.article_recall(retrieved, sorted(evidence), RETRIEVAL_K)

    with_answers = [r for r in answerable if r.question.answers]
    answered = [r for r in answerable if not r.answer.refused]
    quotes = [(r, q) for r in results if not r.answer.refused for c in r.answer.citations for q in c.quotes]
    factoid = [r for r in answered if answer_type(r.question.question) in FACTOID]
    citations = [(r, c) for r in answered if r.question.evidence for c in r.answer.citations]

    def cited_right(r: Result, c: Citation) -> bool:
        return bool(_source_keys(c.title, c.url) & _evidence_keys(r.question)) and c.quote in c.text

    refused = [r.answer.refused for r in results]
    unanswerable = [r.question.unanswerable for r in results]
    precision, recall = metrics.precision_recall(refused, unanswerable)
    retrieval_ms = [r.retrieval_ms for r in results]
    answer_ms = [r.answer_ms for r in results]
    return {
        "questions": len(results),
        "retrieval": {
            "questions": len(with_facts),
            "hits@4": _mean(metrics.hits_at(ranks[id(r)], 4) for r in with_facts),
            "hits@10": _mean(metrics.hits_at(ranks[id(r)], 10) for r in with_facts),
            "map@10": _mean(
                metrics.average_precision([p.text for p in r.passages], [e.fact for e in r.question.evidence]) for r in with_facts
            ),
            "mrr@10": _mean(metrics.reciprocal_rank(ranks[id(r)]) for r in with_facts),
            "article_recall@10": _mean(article_recall(r) for r in answerable if r.question.evidence),
        },
        "answers": {
            "questions": len(with_answers),
            "exact_match": _mean(metrics.exact_match(r.answer.text, r.question.answers) for r in with_answers),
            "f1": _mean(metrics.token_f1(r.answer.text, r.question.answers) for r in with_answers),
            "contains": _mean(metrics.contains_answer(r.answer.text, r.question.answers) for r in with_answers),
            "short_given": _mean(float(bool(r.answer.short)) for r in with_answers),
            "short_accuracy": _mean(metrics.short_correct(r.answer.short, r.question.answers) for r in with_answers),
        },
        "quotes": {
            "sentences": len(quotes),
            "echoes": sum(is_echo(q, r.question.question) for r, q in quotes),
            "headings": sum(is_heading(q) for _, q in quotes),
            "factoid_median": statistics.median(_quoted(r) for r in factoid) if factoid else None,
        },
        "citations": {
            "citations": len(citations),
            "precision": _mean(float(cited_right(r, c)) for r, c in citations),
            "answers_with_citation": _mean(float(bool(r.answer.citations)) for r in answered),
        },
        "refusal": {
            "unanswerable": sum(unanswerable),
            "refused": sum(refused),
            "precision": None if precision is None else round(precision, 4),
            "recall": None if recall is None else round(recall, 4),
            "reasons": dict(Counter(r.answer.refusal_reason.code.value for r in results if r.answer.refusal_reason)),
        },
        "latency_ms": {
            "retrieval_p50": round(metrics.percentile(retrieval_ms, 50), 1),
            "retrieval_p95": round(metrics.percentile(retrieval_ms, 95), 1),
            "answer_p50": round(metrics.percentile(answer_ms, 50), 1),
            "answer_p95": round(metrics.percentile(answer_ms, 95), 1),
            "total_p50": round(metrics.percentile([a + b for a, b in zip(retrieval_ms, answer_ms, strict=True)], 50), 1),
            "total_p95": round(metrics.percentile([a + b for a, b in zip(retrieval_ms, answer_ms, strict=True)], 95), 1),
            "wall_s": round(wall_s, 1),
        },
    }


def report(results: Sequence[Result], wall_s: float, settings: dict[str, Any]) -> dict[str, Any]:
    """The full report: overall metrics, the same by question type, and the settings used."""
    overall = score(results, wall_s)
    types = sorted({r.question.type or "untyped" for r in results})
    overall["by_type"] = {
        t: {k: v for k, v in score([r for r in results if (r.question.type or "untyped") == t]).items() if k != "latency_ms"}
        for t in types
    }
    overall["failed"] = failures(results)
    overall["settings"] = settings
    return overall


def failures(results: Sequence[Result]) -> list[dict[str, str]]:
    """The questions answered wrongly: a wrong or missing short answer, a refused answerable question,
    an answered unanswerable one."""
    failed = []
    for r in results:
        got = r.answer.refusal_reason.sentence if r.answer.refusal_reason else r.answer.short or "(no short answer)"
        wrong_short = bool(r.question.answers) and not metrics.short_correct(r.answer.short, r.question.answers)
        if r.question.unanswerable != r.answer.refused or (not r.question.unanswerable and wrong_short):
            expected = "a refusal" if r.question.unanswerable else " | ".join(r.question.answers) or "an answer"
            failed.append(
                {"id": r.question.id, "question": r.question.question, "expected": expected, "got": got, "why": _why(r)}
            )
    return failed


def _why(result: Result) -> str:
    """What went wrong with a failed question, in a few words."""
    if result.question.unanswerable:
        return "answered a question the archive can't answer"
    if result.answer.refused:
        return "refused an answerable question"
    if not result.answer.short:
        return "no short answer committed to"
    return "wrong short answer"


def _quoted(result: Result) -> int:
    return sum(len(c.quotes) for c in result.answer.citations)


def retrieval_records(results: Sequence[Result]) -> list[dict[str, Any]]:
    """The run in MultiHop-RAG's retrieval output format, each retrieved chunk's full text included."""
    return [
        {
            "query": r.question.question,
            "answer": r.question.answers[0] if r.question.answers else "",
            "question_type": r.question.type,
            "retrieval_list": [{"text": p.text, "score": p.score} for p in r.passages],
            "gold_list": [asdict(e) for e in r.question.evidence],
        }
        for r in results
    ]


def _rows(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [
        (group, name, value)
        for group in ("retrieval", "answers", "quotes", "citations", "refusal", "latency_ms")
        for name, value in report[group].items()
    ]


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables: overall, then by question type."""
    lines = [f"# Evaluation: {report['questions']} questions", "", "| group | metric | value |", "| --- | --- | --- |"]
    lines += [f"| {g} | {n} | {_cell(v)} |" for g, n, v in _rows(report)]
    types = list(report["by_type"])
    if types:
        lines += ["", "## By question type", "", "| metric | " + " | ".join(types) + " |", "| --- |" + " --- |" * len(types)]
        lines.append("| questions | " + " | ".join(str(report["by_type"][t]["questions"]) for t in types) + " |")
        for group in ("retrieval", "answers", "quotes", "citations", "refusal"):
            for name in report[group]:
                cells = [_cell(report["by_type"][t][group].get(name)) for t in types]
                lines.append(f"| {group} {name} | " + " | ".join(cells) + " |")
    failed = report.get("failed", [])
    if failed:
        lines += [
            "",
            f"## Failed questions ({len(failed)})",
            "",
            "| id | question | expected | got | why |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {f['id']} | {_escaped(f['question'])} | {_escaped(f['expected'])} | {_escaped(f['got'])} | {f.get('why', '')} |"
            for f in failed
        ]
    lines += ["", "## What the metrics mean", "", *(f"- **{name}**: {meaning}" for name, meaning in METRIC_NOTES.items())]
    lines += ["", "## Settings", "", "```json", json.dumps(report["settings"], indent=2), "```", ""]
    return "\n".join(lines)


def _escaped(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _cell(value: Any) -> str:
    return "–" if value is None else str(value)


def compare(report: dict[str, Any], other: dict[str, Any]) -> str:
    """Each metric of this run beside the other run's, with the difference."""
    lines = [f"{'metric':<32} {'this':>10} {'other':>10} {'diff':>10}"]
    for group, name, value in _rows(report):
        theirs = other.get(group, {}).get(name)
        if isinstance(value, (int, float)) and isinstance(theirs, (int, float)):
            lines.append(f"{group + ' ' + name:<32} {value:>10} {theirs:>10} {round(value - theirs, 4):>+10}")
        else:
            lines.append(f"{group + ' ' + name:<32} {_cell(value):>10} {_cell(theirs):>10} {'':>10}")
    return "\n".join(lines)


def chart(report: dict[str, Any], path: Path) -> None:
    """A grouped bar chart of the main metrics for each question type."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = list(report["by_type"]) or ["all"]
    groups = report["by_type"] or {"all": report}
    figure, axes = plt.subplots(figsize=(max(6, 1.8 * len(types) + 3), 4.5))
    width = 0.8 / len(CHART_METRICS)
    for i, ((group, name), label) in enumerate(CHART_METRICS.items()):
        values = [groups[t][group][name] for t in types]
        positions = [x + i * width for x in range(len(types))]
        bars = axes.bar(positions, [v or 0.0 for v in values], width, label=label)
        for position, value, bar in zip(positions, values, bars, strict=True):
            if value is None:
                axes.text(position, 0.01, "n/a", ha="center", va="bottom", fontsize=6, rotation=90, color="0.4")
            elif value == 0:
                axes.plot([position - width / 2, position + width / 2], [0, 0], color=bar.get_facecolor(), linewidth=3)
                axes.text(position, 0.01, "0", ha="center", va="bottom", fontsize=7)
    axes.set_xticks([x + width * (len(CHART_METRICS) - 1) / 2 for x in range(len(types))], types)
    axes.set_ylim(0, 1)
    axes.set_ylabel("score")
    axes.set_title(f"Evaluation by question type ({report['questions']} questions)")
    axes.legend(fontsize="small", ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.08))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(out: Path, results: Sequence[Result], report_data: dict[str, Any]) -> None:
    """Write report.json, report.md, chart.png and retrieval.json into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report_data, indent=2) + "\n")
    (out / "report.md").write_text(markdown(report_data))
    (out / "retrieval.json").write_text(json.dumps(retrieval_records(results), ensure_ascii=False) + "\n")
    chart(report_data, out / "chart.png")
