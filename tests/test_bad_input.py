"""Bad input, ingested as a user would meet it: each bad file or record is skipped (or kept with a
warning) for a one-line, named reason, every good article is indexed, and the index stays whole."""

from __future__ import annotations

import json

import pytest

from qa import Archive

GOOD = "---\ntitle: Good article\nsource: Valley Times\ndate: 2024-05-01\n---\nThe good article is about the valley fair.\n"
RECORD = {"title": "Record", "body": "A record about the harbour.", "source": "Coastal Courier", "date": "2024-02-02"}


def jsonl(*records: object) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records).encode()


CASES = {
    "binary file": ({"photo.txt": b"\x89PNG\x00\x00\x01"}, "binary file (contains NUL bytes)", 0),
    "invalid UTF-8": ({"latin.md": "Caf\xe9 opens\nThe caf\xe9 opened.".encode("latin-1")}, "not UTF-8 text", 0),
    "empty file": ({"empty.md": b""}, "empty file", 0),
    "10 MB article": ({"huge.md": b"Huge\n" + b"All work and no play. " * 480_000}, "over the limit of 1 million", 0),
    "malformed JSON": ({"feed.json": b'[{"title": "Cut", "body": "off'}, "invalid JSON at line 1", 0),
    "JSONL with a broken line": (
        {"feed.jsonl": jsonl(RECORD, '{"title": broken', {**RECORD, "title": "Third", "url": "https://c.example/3"})},
        "feed.jsonl:2: invalid JSON",
        2,
    ),
    "two records with the same url": (
        {"feed.jsonl": jsonl({**RECORD, "url": "https://c.example/same"}, {**RECORD, "url": "https://c.example/same"})},
        "duplicate of an article already read (id https://c.example/same)",
        1,
    ),
}


@pytest.mark.parametrize(("files", "reason", "added_from_bad"), CASES.values(), ids=CASES.keys())
def test_a_bad_file_is_skipped_with_its_reason_and_the_good_ones_are_ingested(tmp_path, files, reason, added_from_bad):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(GOOD)
    for name, content in files.items():
        (corpus / name).write_bytes(content)
    archive = Archive(tmp_path / "index")
    report = archive.ingest([corpus])
    assert report.added == 1 + added_from_bad
    [problem] = report.problems
    assert reason in str(problem) and "\n" not in str(problem)
    assert_whole(archive, articles=1 + added_from_bad)
    assert archive.ask("What is the good article about?").citations[0].title == "Good article"


def test_missing_and_garbled_dates_keep_the_article_undated_and_warn_about_the_garbled_one(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "feed.jsonl").write_bytes(
        jsonl(
            {**RECORD, "url": "https://c.example/1", "date": None},
            {**RECORD, "url": "https://c.example/2", "date": "next Thursdayish"},
        )
    )
    archive = Archive(tmp_path / "index")
    report = archive.ingest([corpus])
    assert report.added == 2 and report.skipped == 0
    [warning] = report.problems
    assert str(warning).startswith("warning: ") and "not understood" in warning.reason
    assert_whole(archive, articles=2)
    assert archive.stats().first_published is None


def test_a_symlink_that_escapes_the_corpus_is_skipped(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(GOOD)
    (tmp_path / "private.md").write_text("Private notes\nNot for the archive.\n")
    (corpus / "notes.md").symlink_to(tmp_path / "private.md")
    archive = Archive(tmp_path / "index")
    report = archive.ingest([corpus])
    assert report.added == 1 and "symlink points outside the ingested folder" in str(report.problems[0])
    assert_whole(archive, articles=1)


def assert_whole(archive: Archive, articles: int) -> None:
    """Chroma, the docstore and BM25 agree on what the index holds."""
    chunks = archive.index.collection.get(include=["metadatas"])
    in_chroma = {meta["document_id"] for meta in chunks["metadatas"]}
    assert in_chroma == set(archive.index.docstore.docs) and len(in_chroma) == articles
    assert archive.index.bm25.size == len(chunks["ids"])
