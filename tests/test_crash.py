"""An ingest killed with SIGKILL midway leaves an index that the next ingest turns into exactly
what a clean build makes: every article once, the same chunk ids, and Chroma, the docstore and
BM25 in agreement."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from qa import Archive, Settings
from qa.index import Index

from bulk import write_bulk

QA = str(Path(sys.executable).parent / "qa")
ARTICLES = 300


def snapshot(folder: Path) -> dict[str, object]:
    """What an index holds, in every part of it."""
    index = Index(Settings(index_dir=folder))
    chunks = index.collection.get(include=["documents", "metadatas"])
    return {
        "chunks": dict(zip(chunks["ids"], chunks["documents"], strict=True)),
        "article_hashes": {meta["document_id"]: meta["article_hash"] for meta in chunks["metadatas"]},
        "docstore": {doc_id: index.docstore.get_document_hash(doc_id) for doc_id in index.docstore.docs},
        "articles_in_chroma": {meta["document_id"] for meta in chunks["metadatas"]},
        "bm25_chunks": index.bm25.size if index.bm25 else 0,
    }


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bulk(tmp_path_factory.mktemp("bulk") / "corpus", ARTICLES)


@pytest.fixture(scope="module")
def clean(bulk: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("clean") / "index"
    Archive(folder).ingest([bulk])
    return snapshot(folder)


def kill_after(done: int, bulk: Path, index: Path) -> None:
    """Start `qa ingest` and SIGKILL it once its progress bar shows `done` articles embedded."""
    ingest = subprocess.Popen([QA, "ingest", str(bulk), "--index", str(index)], stderr=subprocess.PIPE)
    shown = b""
    while f"{done}/{ARTICLES}".encode() not in shown:
        piece = os.read(ingest.stderr.fileno(), 4096)
        assert piece, f"the ingest ended before {done} articles: {shown.decode(errors='replace')[-500:]}"
        shown += piece
    ingest.send_signal(signal.SIGKILL)
    ingest.wait()
    ingest.stderr.close()


@pytest.mark.parametrize("done", [64, 192])
def test_an_ingest_killed_midway_is_completed_by_the_next_one_as_a_clean_build(done, bulk, clean, tmp_path):
    index = tmp_path / "index"
    kill_after(done, bulk, index)
    report = Archive(index).ingest([bulk])
    assert report.unchanged >= done and report.added + report.unchanged == ARTICLES
    after = snapshot(index)
    assert after["chunks"] == clean["chunks"]
    assert after["article_hashes"] == clean["article_hashes"]
    assert after["docstore"] == clean["docstore"] == clean["article_hashes"]
    assert after["articles_in_chroma"] == set(clean["docstore"]) and len(clean["docstore"]) == ARTICLES
    assert after["bm25_chunks"] == len(clean["chunks"])


def test_questions_asked_after_a_killed_ingest_see_a_consistent_index(bulk, tmp_path):
    index = tmp_path / "index"
    kill_after(128, bulk, index)
    archive = Archive(index)
    stats = archive.stats()
    assert 128 <= stats.articles < ARTICLES
    assert archive.index.bm25.size == stats.chunks, "BM25 is rebuilt from what Chroma holds"
    answer = archive.ask("What did the council of Kakaka approve?")
    assert not answer.refused and answer.citations[0].title == "Kakaka approves a footbridge"
