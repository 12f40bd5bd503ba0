"""`qa eval` end to end on the seed question set."""

from __future__ import annotations

import json

from click.testing import CliRunner

from qa import Settings
from qa.cli import cli

from conftest import REPO

SEED_SET = str(REPO / "evals/seed.jsonl")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_eval_on_the_seed_set_writes_the_four_outputs(tmp_path, seed_corpus):
    index, out = str(tmp_path / "idx"), tmp_path / "report"
    run("ingest", str(seed_corpus), "--index", index, "-q")
    result = run("eval", SEED_SET, "--index", index, "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["chart.png", "report.json", "report.md", "retrieval.json"]
    assert (out / "chart.png").read_bytes().startswith(b"\x89PNG")

    report = json.loads((out / "report.json").read_text())
    assert {"retrieval", "answers", "citations", "refusal", "latency_ms", "by_type", "settings"} <= set(report)
    assert report["questions"] == 19
    assert report["settings"]["answerer"] == "extractive" and report["settings"]["chunk_size"] == Settings().chunk_size
    assert "llm_api_key" not in report["settings"] and "llm_model" not in report["settings"]
    assert report["refusal"]["unanswerable"] == 4
    assert set(report["by_type"]) == {"factoid", "metadata", "quote", "unanswerable", "yes_no"}
    assert 0.0 <= report["retrieval"]["hits@10"] <= 1.0
    assert report["latency_ms"]["retrieval_p50"] > 0

    records = json.loads((out / "retrieval.json").read_text())
    assert len(records) == 19
    assert set(records[0]) == {"query", "answer", "question_type", "retrieval_list", "gold_list"}
    assert records[0]["retrieval_list"][0].keys() == {"text", "score"}
    assert "Witkoff" in " ".join(r["text"] for r in records[0]["retrieval_list"])

    assert "| retrieval | hits@10 |" in result.stdout
    shown = (out / "report.md").read_text()
    assert shown.startswith("# Evaluation: 19 questions") and "## What the metrics mean" in shown
    assert report["failed"]
    for failure in report["failed"]:
        assert failure["why"] in shown and failure["why"] in (
            "answered a question the archive can't answer",
            "refused an answerable question",
            "no short answer committed to",
            "wrong short answer",
        )


def test_eval_compares_with_another_run_and_narrows_by_type_and_limit(tmp_path, seed_corpus):
    index = str(tmp_path / "idx")
    run("ingest", str(seed_corpus), "--index", index, "-q")
    run("eval", SEED_SET, "--index", index, "--out", str(tmp_path / "all"), "-q")
    result = run(
        "eval",
        SEED_SET,
        "--index",
        index,
        "--out",
        str(tmp_path / "some"),
        "-q",
        "--type",
        "factoid",
        "--limit",
        "3",
        "--compare",
        str(tmp_path / "all/report.json"),
    )
    assert json.loads((tmp_path / "some/report.json").read_text())["questions"] == 3
    line = next(line for line in result.stdout.splitlines() if line.startswith("refusal unanswerable"))
    assert line.split() == ["refusal", "unanswerable", "0", "4", "-4"]


def test_eval_reports_malformed_lines_and_runs_the_rest(tmp_path, seed_corpus):
    index = str(tmp_path / "idx")
    run("ingest", str(seed_corpus), "--index", index, "-q")
    broken = tmp_path / "set.jsonl"
    broken.write_text((REPO / "evals/seed.jsonl").read_text().splitlines()[0] + "\n{oops\n")
    result = run("eval", str(broken), "--index", index, "--out", str(tmp_path / "r"), "-q")
    assert result.exit_code == 0
    assert f"skipped: {broken}: line 2: " in result.stderr
    assert json.loads((tmp_path / "r/report.json").read_text())["questions"] == 1
