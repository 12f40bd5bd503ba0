"""Incremental ingest into Chroma: only what changed is embedded, and removal stays within the ingested path."""

from __future__ import annotations

import json
import shutil

import pytest

from qa import Archive, IndexMismatch, IndexNotFound, Settings

from conftest import ORCHARD_RECORDS


def chunk_texts(archive: Archive, article_id: str) -> list[str]:
    return archive.index.collection.get(where={"document_id": article_id})["documents"]


def test_first_ingest_adds_every_article_and_records_its_chunks(archive, corpus):
    report = archive.ingest([corpus])
    assert report.summary() == "added 4, updated 0, unchanged 0, removed 0, skipped 0"
    stats = archive.stats()
    assert stats.articles == 4
    assert stats.chunks == report.chunks == archive.index.collection.count() >= 4
    assert stats.outlets == ["Coastal Courier", "MENAFN", "Valley Times"]
    assert (stats.first_published, stats.last_published) == ("2024-03-14", "2025-12-07")


def test_chunks_are_embedded_with_title_outlet_and_date(archive, corpus):
    archive.ingest([corpus])
    [node] = archive.index.vector_store.get_nodes(node_ids=["https://courier.example/harbour-bridge::0"])
    embedded = node.get_content(metadata_mode="embed")
    assert embedded.startswith("Harbour bridge reopens after two-year repair\nCoastal Courier\nMarch 14, 2024\n\n")
    assert node.metadata["published"] == "2024-03-14" and node.metadata["url"] == "https://courier.example/harbour-bridge"


def test_ingesting_the_same_corpus_again_embeds_nothing(archive, corpus):
    archive.ingest([corpus])
    before = archive.index.collection.get()["ids"]
    again = Archive(archive.settings.index_dir).ingest([corpus])
    assert again.summary() == "added 0, updated 0, unchanged 4, removed 0, skipped 0"
    assert again.chunks == 0
    assert sorted(Archive(archive.settings.index_dir).index.collection.get()["ids"]) == sorted(before)


def test_a_changed_article_has_its_old_chunks_replaced(archive, corpus):
    archive.ingest([corpus])
    harbour = corpus / "harbour.md"
    harbour.write_text(harbour.read_text().replace("86 million euros", "91 million euros"))
    report = archive.ingest([corpus])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 3)
    texts = " ".join(chunk_texts(archive, "https://courier.example/harbour-bridge"))
    assert "91 million euros" in texts and "86 million euros" not in texts


def test_an_article_whose_file_is_gone_is_removed(archive, corpus):
    archive.ingest([corpus])
    (corpus / "harbour.md").unlink()
    report = archive.ingest([corpus])
    assert (report.removed, report.unchanged) == (1, 3)
    assert chunk_texts(archive, "https://courier.example/harbour-bridge") == []
    assert archive.stats().articles == 3
    assert all("harbour" not in hit.node.node_id for hit in archive.index.bm25.search("harbour bridge cables", 10))


def test_a_record_dropped_from_a_json_file_is_removed(archive, corpus):
    archive.ingest([corpus])
    (corpus / "orchards.json").write_text(json.dumps(ORCHARD_RECORDS[:1]))
    report = archive.ingest([corpus])
    assert report.removed == 1 and archive.stats().articles == 3


def test_another_folder_adds_to_the_index_and_removal_stays_within_the_ingested_path(archive, corpus, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.md").write_text("Ferry strike ends\nFerry crews returned to work on Friday.\n")
    archive.ingest([corpus])
    assert archive.ingest([other]).summary() == "added 1, updated 0, unchanged 0, removed 0, skipped 0"
    assert archive.stats().articles == 5
    shutil.rmtree(other)
    other.mkdir()
    assert archive.ingest([corpus]).removed == 0
    assert archive.ingest([other]).removed == 1
    assert archive.stats().articles == 4


def test_a_file_that_turns_bad_keeps_its_articles_in_the_index(archive, corpus):
    archive.ingest([corpus])
    (corpus / "orchards.json").write_text('[{"title": "broken"')
    report = archive.ingest([corpus])
    assert report.skipped == 1 and report.removed == 0
    assert archive.stats().articles == 4


def test_bad_files_are_skipped_and_reported_while_the_rest_is_ingested(archive, corpus):
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.7")
    (corpus / "empty.txt").write_text("")
    report = archive.ingest([corpus])
    assert report.added == 4 and report.skipped == 2
    assert sorted(p.path.rsplit("/", 1)[-1] for p in report.problems) == ["empty.txt", "scan.pdf"]


def test_the_same_url_twice_is_one_article(archive, tmp_path):
    record = {"title": "Same story", "body": "Told twice.", "url": "https://news.example/same"}
    (tmp_path / "feed.jsonl").write_text(json.dumps(record) + "\n" + json.dumps(record) + "\n")
    report = archive.ingest([tmp_path / "feed.jsonl"])
    assert (report.added, report.skipped) == (1, 1)
    assert "duplicate" in report.problems[0].reason


def test_asking_before_any_ingest_says_to_ingest(tmp_path):
    with pytest.raises(IndexNotFound, match="run `qa ingest` first"):
        Archive(tmp_path / "none").ask("anything?")


def test_other_chunk_settings_need_a_rebuild(archive, corpus):
    archive.ingest([corpus])
    other = Archive(settings=Settings(index_dir=archive.settings.index_dir, chunk_size=128))
    with pytest.raises(IndexMismatch, match=r"chunk_size 512 \(now 128\).*--rebuild"):
        other.ingest([corpus])
    report = other.ingest([corpus], rebuild=True)
    assert report.added == 4
    assert not other.ask("How many cables were replaced on the harbour bridge?").refused


def test_an_index_from_an_older_version_needs_a_rebuild(tmp_path, corpus):
    import chromadb

    chromadb.PersistentClient(path=str(tmp_path / "old" / "chroma")).create_collection("articles")
    with pytest.raises(IndexMismatch, match=r"made by an older version of qa; run `qa ingest --rebuild`"):
        Archive(tmp_path / "old").ask("anything?")
    assert Archive(tmp_path / "old").ingest([corpus], rebuild=True).added == 4
