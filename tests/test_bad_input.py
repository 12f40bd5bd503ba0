"""Bad input, ingested as a user would meet it: each bad file or record is skipped (or kept with a
warning) for a one-line, named reason, every good article is indexed, and the index stays whole."""

from __future__ import annotations

import json
import resource
import subprocess

import pytest

from qa import Archive

from conftest import REPO

GOOD = "---\ntitle: Good article\nsource: Valley Times\ndate: 2024-05-01\n---\nThe good article is about the valley fair.\n"
MEMORY_LIMIT = 8 * 2**30
"""Address space for the CLI that meets a YAML bomb: what torch and Chroma reserve, with room to
spare, and far below what the bomb expands to."""
RECORD = {"title": "Record", "body": "A record about the harbour.", "source": "Coastal Courier", "date": "2024-02-02"}


def jsonl(*records: object) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records).encode()


def yaml_bomb(levels: int = 9) -> bytes:
    """Front matter of a few hundred bytes whose aliases expand to ten to the `levels` strings."""
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels)]
    return ("---\ntitle: Bomb\n" + "\n".join(lines) + f"\nauthor: *l{levels - 1}\n---\nBody.\n").encode()


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
    "YAML alias bomb": ({"bomb.md": yaml_bomb()}, "front matter is not valid YAML (aliases (*name) are not accepted)", 0),
    "JSON nested 100,000 deep": ({"deep.json": b"[" * 100_000 + b"]" * 100_000}, "JSON nested more than 20 levels deep", 0),
    "a title that is a list": ({"list.json": json.dumps({"title": ["a", "b"], "body": "Text."}).encode()}, "title is a list", 0),
    "3,000-character title": (
        {"long.md": ("---\ntitle: " + "Harbour " * 375 + "\n---\nThe long-titled article about tides.\n").encode()},
        "warning: corpus/long.md: title cut to its first 300 characters",
        1,
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


def test_a_yaml_bomb_is_refused_by_the_cli_within_a_memory_limit(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(GOOD)
    (corpus / "bomb.md").write_bytes(yaml_bomb(levels=10))

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    done = subprocess.run(
        [str(REPO / ".venv/bin/qa"), "ingest", str(corpus), "--index", str(tmp_path / "index"), "-q"],
        capture_output=True,
        text=True,
        preexec_fn=limit_memory,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "skipped: corpus/bomb.md: front matter is not valid YAML (aliases (*name) are not accepted)" in done.stderr
    assert "Traceback" not in done.stderr and "added 1," in done.stdout
