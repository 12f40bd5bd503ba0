"""The `qa` command, run as a user would."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

from click.testing import CliRunner

from qa.cli import cli

from conftest import SEED_QUESTION


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_ingest_then_ask_json(tmp_path, corpus):
    index = str(tmp_path / "idx")
    ingest = run("ingest", str(corpus), "--index", index, "--quiet")
    assert ingest.exit_code == 0
    assert "added 4, updated 0, unchanged 0, removed 0, skipped 0" in ingest.stdout

    result = run("ask", SEED_QUESTION, "--index", index, "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert set(payload) == {"short", "answer", "refused", "refusal_reason", "citations"}
    assert payload["refused"] is False and payload["refusal_reason"] is None
    assert "Witkoff" in payload["short"]
    [citation, *_] = payload["citations"]
    assert set(citation) == {"n", "title", "source", "published", "url", "path", "text", "quote", "quotes", "score", "also"}
    assert citation["also"] == []
    assert citation["n"] == 1 and citation["published"] == "2025-12-07" and "Witkoff" in citation["quote"]


def test_a_refusal_in_json_gives_its_reason_code_and_sentence(tmp_path, corpus):
    index = str(tmp_path / "idx")
    run("ingest", str(corpus), "--index", index, "--quiet")
    payload = json.loads(run("ask", SEED_QUESTION, "--index", index, "--json", "--since", "2030-01-01").stdout)
    assert payload["refused"] is True and payload["short"] == "" and payload["citations"] == []
    assert payload["refusal_reason"]["code"] == "filtered_out" and "2030-01-01" in payload["refusal_reason"]["reason"]


def test_ask_prints_the_answer_then_numbered_sources(tmp_path, seed_corpus):
    index = str(tmp_path / "idx")
    run("ingest", str(seed_corpus), "--index", index, "--quiet")
    result = run("ask", SEED_QUESTION, "--index", index)
    answer, sources = result.stdout.split("\n\nSources:\n")
    assert answer.endswith("[1]")
    assert sources.startswith(
        "[1] European leaders are concerned US may walk away from Ukraine war (MENAFN, 2025-12-07)\n"
        "    corpus/000_e4d5103e5b655136.txt\n"
    )


def test_a_streamed_answer_prints_its_short_answer_first_and_once(tmp_path, seed_corpus):
    index = str(tmp_path / "idx")
    run("ingest", str(seed_corpus), "--index", index, "--quiet")
    streamed = run("ask", SEED_QUESTION, "--index", index, "--stream").stdout
    plain = run("ask", SEED_QUESTION, "--index", index).stdout
    assert streamed.startswith("Answer: ") and "Witkoff" in streamed.splitlines()[0]
    assert streamed.count("Answer: ") == 1
    assert streamed.split("\n\nSources:\n")[1] == plain.split("\n\nSources:\n")[1]


def test_ingest_reports_each_skipped_file_on_its_own_line(tmp_path, corpus):
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    result = run("ingest", str(corpus), "--index", str(tmp_path / "idx"), "-q")
    assert result.exit_code == 0
    assert "skipped: corpus/notes.docx: unsupported file type .docx" in result.stderr
    assert "skipped 1" in result.stdout


def test_errors_are_one_line_without_a_traceback(tmp_path):
    result = run("ask", "anything", "--index", str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: no index at {tmp_path / 'missing'}; run `qa ingest` first"


def test_index_folder_comes_from_the_environment(tmp_path, monkeypatch, seed_corpus):
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "from-env"))
    assert run("ingest", str(seed_corpus), "-q").exit_code == 0
    assert (tmp_path / "from-env" / "chroma").is_dir()


def test_a_busy_port_is_one_line_naming_the_port_setting(seeded):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        shown = CliRunner().invoke(cli, ["serve", "--index", str(seeded.settings.index_dir), "--port", str(port)])
    assert shown.exit_code == 1
    assert (
        shown.output.strip()
        == f"Error: can't listen on 127.0.0.1:{port} (Address already in use); choose another port with --port or QA_PORT"
    )


def test_list_and_remove_round_trip(tmp_path, corpus):
    index = str(tmp_path / "idx")
    run("ingest", str(corpus), "--index", index, "-q")
    listed = json.loads(run("list", "--index", index, "--json").stdout)
    assert len(listed) == 4 and {"id", "title", "source", "published", "url", "path", "passages"} <= set(listed[0])
    harbour = next(a for a in listed if a["url"] == "https://courier.example/harbour-bridge")
    removed = CliRunner().invoke(cli, ["remove", harbour["url"], "corpus/no-such.md", "--index", index])
    assert removed.exit_code == 1 and "removed 1" in removed.stdout and "not in the index: corpus/no-such.md" in removed.output
    assert [a["id"] for a in json.loads(run("list", "--index", index, "--json").stdout)] == [
        a["id"] for a in listed if a["id"] != harbour["id"]
    ]
    answer = json.loads(
        run("ask", "How many corroded cables were replaced on the harbour bridge?", "--index", index, "--json").stdout
    )
    assert all(c["title"] != harbour["title"] for c in answer["citations"])


def test_ingesting_a_missing_path_exits_1_and_creates_nothing(tmp_path):
    shown = CliRunner().invoke(cli, ["ingest", str(tmp_path / "missing"), "--index", str(tmp_path / "idx")])
    assert shown.exit_code == 1 and shown.output.strip() == f"Error: no such file or folder: {tmp_path / 'missing'}"
    assert not (tmp_path / "idx").exists()


def test_a_question_loads_neither_pytorch_nor_the_libraries_unused_optional_packages(seeded):
    """PyTorch (under spaCy), SciPy's statistics and scikit-learn (under NLTK) cost 3 s of a cold
    `qa ask` and answer nothing; PyTorch stays importable afterwards for ingest."""
    script = (
        "import sys; from qa.archive import Archive; "
        f"answer = Archive({str(seeded.settings.index_dir)!r}).ask({SEED_QUESTION!r}); "
        "print(answer.short); print(*sorted(m for m in ('torch', 'scipy.stats', 'sklearn') if m in sys.modules)); "
        "import torch; print(torch.ones(1).item())"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split("\n")
    assert "Witkoff" in out[0]
    assert out[1:3] == ["", "1.0"]
