"""The same `qa` against a real Chroma server (`chroma run` on 127.0.0.1): the server holds the
vectors and is the source of truth; an index folder only caches what is rebuilt from it."""

from __future__ import annotations

import json

import chromadb
import pytest
from click.testing import CliRunner

from qa import Archive, Settings
from qa.cli import cli
from qa.errors import ChromaUnavailable

from chroma_server import chroma_server
from conftest import REPO, SEED_QUESTION, free_port

QUESTIONS = [
    SEED_QUESTION,
    "How many cables did engineers replace on the harbour bridge?",
    "What did cider makers sign after the frost?",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> str:
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


def on_server(url: str, folder, collection: str) -> Archive:
    return Archive(settings=Settings(index_dir=folder, chroma_url=url, collection=collection, refresh_seconds=0))


def test_ingest_reingest_and_ask_against_the_server(server, corpus, tmp_path):
    archive = on_server(server, tmp_path / "machine-a", "ingest-and-ask")
    assert archive.ingest([corpus]).summary() == "added 4, updated 0, unchanged 0, removed 0, skipped 0"
    assert archive.ingest([corpus]).summary() == "added 0, updated 0, unchanged 4, removed 0, skipped 0"
    stored = chromadb.HttpClient(host="127.0.0.1", port=int(server.rsplit(":", 1)[1])).get_collection("ingest-and-ask")
    assert stored.count() == archive.stats().chunks > 0
    assert not (tmp_path / "machine-a" / "chroma").exists(), "no local vector store in server mode"
    answer = archive.ask(SEED_QUESTION)
    assert not answer.refused and "Witkoff" in answer.citations[0].quote


def test_a_second_machine_with_an_empty_folder_answers_the_same_and_follows_the_first(server, corpus, tmp_path):
    first = on_server(server, tmp_path / "machine-a", "two-machines")
    first.ingest([corpus])
    second = on_server(server, tmp_path / "machine-b", "two-machines")
    for question in QUESTIONS:
        assert second.ask(question).to_dict() == first.ask(question).to_dict()
    assert second.stats() == first.stats()
    assert second.ingest([corpus]).summary() == "added 0, updated 0, unchanged 4, removed 0, skipped 0"

    (corpus / "ferry.md").write_text(
        "---\ntitle: Night ferry returns\nsource: Coastal Courier\ndate: 2024-06-01\n---\n"
        "The night ferry to Saltholm island returns on June 1 after a winter without service.\n"
    )
    assert first.ingest([corpus]).added == 1
    answer = second.ask("When does the night ferry to Saltholm island return?")
    assert answer.citations and answer.citations[0].title == "Night ferry returns"


def test_cli_ingest_ask_and_eval_against_the_server(server, corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CHROMA_URL", server)
    monkeypatch.setenv("QA_COLLECTION", "cli")
    index = str(tmp_path / "idx")
    runner = CliRunner()
    assert "added 4" in runner.invoke(cli, ["ingest", str(corpus), "--index", index, "-q"]).stdout
    asked = json.loads(runner.invoke(cli, ["ask", SEED_QUESTION, "--index", index, "--json"]).stdout)
    assert not asked["refused"] and asked["citations"][0]["source"] == "MENAFN"
    out = tmp_path / "report"
    evaluated = runner.invoke(cli, ["eval", str(REPO / "evals" / "seed.jsonl"), "--index", index, "--out", str(out), "-q"])
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads((out / "report.json").read_text())
    assert report["retrieval"]["article_recall@10"] > 0.5 and report["settings"]["chroma_url"] == server


def test_an_unreachable_server_is_a_one_line_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ChromaUnavailable, match=f"cannot reach the Chroma server at {url} \\(QA_CHROMA_URL\\)") as raised:
        Archive(settings=Settings(index_dir=tmp_path, chroma_url=url)).ask(SEED_QUESTION)
    assert "\n" not in str(raised.value)


def test_the_feed_list_is_kept_on_the_server_for_every_machine(server, tmp_path):
    first = on_server(server, tmp_path / "machine-a", "shared-feeds")
    first.add_feed("http://127.0.0.1:9/valley.xml", name="Valley Times")
    second = on_server(server, tmp_path / "machine-b", "shared-feeds")
    assert [(f.url, f.name) for f in second.feeds()] == [("http://127.0.0.1:9/valley.xml", "Valley Times")]
    assert second.remove_feed("http://127.0.0.1:9/valley.xml")
    assert first.feeds() == []
