"""Embeddings from an OpenAI-compatible server (QA_EMBED_MODEL=openai:<model>), through the real
openai client (via llama-index) talking HTTP to a small server on 127.0.0.1; the index records which
embedder built it and refuses to be opened with another."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qa import Archive, IndexMismatch, Settings
from qa.cli import cli
from qa.errors import ServerError

from conftest import SEED_QUESTION, free_port, write_corpus
from fake_openai import API_KEY, EMBED_MODEL, Reply, fake_openai

SEED_TITLE = "European leaders are concerned US may walk away from Ukraine war"


def no_chat(request: dict) -> Reply:
    return Reply(status=500)


def server_embedded(index_dir, url: str, model: str = EMBED_MODEL, **overrides) -> Archive:
    settings = dict(index_dir=index_dir, embed_model=f"openai:{model}", llm_base_url=url, llm_api_key=API_KEY, llm_max_retries=0)
    return Archive(settings=Settings(**(settings | overrides)))


def test_ingest_and_ask_embed_on_the_server_and_answer_with_citations(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    with fake_openai(no_chat) as server:
        archive = server_embedded(tmp_path / "index", server.url)
        report = archive.ingest([corpus])
        ingest_requests = list(server.requests)
        answer = archive.ask(SEED_QUESTION)
    assert report.added == 4 and archive.index.collection.count() == report.chunks
    embedded = [text for request in ingest_requests for text in request["input"]]
    assert {r["path"] for r in ingest_requests} == {"/v1/embeddings"}
    assert {r["model"] for r in ingest_requests} == {EMBED_MODEL}
    assert {r["authorization"] for r in ingest_requests} == {f"Bearer {API_KEY}"}
    assert len(embedded) == report.chunks
    assert any(
        text.startswith("Harbour bridge reopens after two-year repair Coastal Courier March 14, 2024") for text in embedded
    )
    [query] = server.requests[len(ingest_requests) :]
    assert query["input"] == [SEED_QUESTION]
    assert not answer.refused and answer.citations[0].title == SEED_TITLE
    assert "Moscow" in answer.citations[0].quote


def test_an_index_built_by_one_embedder_refuses_another(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    with fake_openai(no_chat) as server:
        server_embedded(tmp_path / "index", server.url).ingest([corpus])
    with pytest.raises(IndexMismatch) as raised:
        Archive(tmp_path / "index").ask(SEED_QUESTION)
    message = str(raised.value)
    assert f"embed_model 'openai:{EMBED_MODEL}' (now 'all-MiniLM-L6-v2')" in message and "--rebuild" in message


@pytest.mark.parametrize(
    ("overrides", "model", "message"),
    [
        (
            {"llm_base_url": f"http://127.0.0.1:{free_port()}/v1"},
            EMBED_MODEL,
            "cannot connect to the embedding server at http://127.0.0.1:",
        ),
        ({"llm_api_key": "sk-wrong-key"}, EMBED_MODEL, "refused the API key (401); check OPENAI_API_KEY"),
        ({}, "no-such-embedder", "(404); check QA_EMBED_MODEL"),
    ],
    ids=["connection-refused", "wrong-key", "model-not-found"],
)
def test_a_failing_embedding_server_is_one_line_and_the_next_ingest_completes(tmp_path, overrides, model, message):
    corpus = write_corpus(tmp_path / "corpus")
    with fake_openai(no_chat) as server:
        with pytest.raises(ServerError) as raised:
            server_embedded(tmp_path / "index", server.url, model, **overrides).ingest([corpus])
        fixed = server_embedded(tmp_path / "index", server.url)
        assert fixed.ingest([corpus]).added == 4
        assert fixed.ask(SEED_QUESTION).citations[0].title == SEED_TITLE
    text = str(raised.value)
    assert message in text and "\n" not in text
    assert API_KEY not in text and "sk-wrong-key" not in text


def test_the_cli_names_the_setting_when_the_embedder_is_unknown(tmp_path, corpus, monkeypatch):
    monkeypatch.setenv("QA_EMBED_MODEL", "e5-large")
    result = CliRunner().invoke(cli, ["ingest", str(corpus), "--index", str(tmp_path / "index")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: embedding model 'e5-large' is not available")
    assert "QA_EMBED_MODEL" in result.stderr
    monkeypatch.delenv("QA_EMBED_MODEL")
    fixed = CliRunner().invoke(cli, ["ingest", str(corpus), "--index", str(tmp_path / "index"), "-q"])
    assert fixed.exit_code == 0 and "added 4," in fixed.stdout


def test_questions_are_encoded_as_the_bundled_model_encodes_them():
    import numpy as np

    from qa import Settings
    from qa.embeddings import load_embed_model, load_query_embedder

    settings = Settings()
    fast, reference = load_query_embedder(settings), load_embed_model(settings)
    for text in ("Who traveled to Moscow for talks with Putin?", "x", "Ünïcödé “quotes” and 2.5bn 🎉?", "word " * 400):
        ours, theirs = np.array(fast.get_query_embedding(text)), np.array(reference.get_query_embedding(text))
        assert ours.shape == theirs.shape == (384,) and float(ours @ theirs) > 0.99999
