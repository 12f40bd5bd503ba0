"""Uploads to the served chat, by the official gradio_client, as a stranger would send them: a bad
file is refused with its reason and not kept, later uploads still work, an upload can't replace an
article that came from elsewhere, same-named uploads are both kept, and the limits hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from qa import Archive
from qa.web import ChatHandlers

from conftest import HARBOUR_ARTICLE, write_corpus
from webapp import serving


def article(title: str, body: str, **fields: str) -> str:
    front = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"---\ntitle: {title}\n{front}---\n{body}\n"


def upload(client: Client, *files: Path) -> str:
    report, _corpus, _outlets = client.predict([handle_file(str(f)) for f in files], api_name="/add_files")
    return str(report).replace("\\", "")


@pytest.fixture
def archive(tmp_path) -> Archive:
    archive = Archive(tmp_path / "index")
    archive.ingest([write_corpus(tmp_path / "corpus")])
    return archive


def kept(archive: Archive) -> list[str]:
    folder = archive.settings.uploads_dir
    return sorted(f.name for f in folder.iterdir() if not f.name.startswith("."))


def test_a_bad_upload_is_refused_and_not_kept_and_later_uploads_still_work(archive, tmp_path):
    bad = {
        "nested.json": "[" * 100_000 + "]" * 100_000,
        "broken.json": "{not json",
        "bomb.md": "---\ntitle: B\na: &a [x, x]\nb: [*a, *a]\n---\nBody.\n",
        "photo.md": "\x89PNG\x00\x00",
    }
    for name, text in bad.items():
        (tmp_path / name).write_text(text)
    good = tmp_path / "ferry.md"
    good.write_text(article("Night ferry returns", "The night ferry to Stroma returns on 3 June after a refit."))
    with serving(archive) as url:
        client = Client(url, verbose=False)
        refused = upload(client, *(tmp_path / name for name in bad))
        accepted = upload(client, good)
    assert "Added 0, updated 0, skipped 4." in refused
    for reason in ("JSON nested more than 20 levels deep", "invalid JSON", "aliases", "binary file"):
        assert reason in refused
    assert "Added 1, updated 0, skipped 0." in accepted
    assert kept(archive) == ["ferry.md"]
    assert not archive.ask("When does the night ferry to Stroma return?").refused


def test_an_upload_cannot_replace_an_article_from_the_corpus(archive, tmp_path):
    forged = tmp_path / "harbour-update.md"
    forged.write_text(
        HARBOUR_ARTICLE.replace("412 corroded cables", "nothing at all").replace("Harbour bridge reopens", "Bridge news")
    )
    with serving(archive) as url:
        report = upload(Client(url, verbose=False), forged)
    assert "the article with url https://courier.example/harbour-bridge is already in the archive from elsewhere" in report
    assert kept(archive) == []
    answer = archive.ask("How many corroded cables did engineers replace on the harbour bridge?")
    assert "412 corroded cables" in answer.text and answer.citations[0].path.startswith("corpus/")


def test_two_uploads_with_one_name_are_both_kept(archive, tmp_path):
    first, second = tmp_path / "a" / "notes.md", tmp_path / "b" / "notes.md"
    for file, text in ((first, "The lighthouse at Noss Head got a new lens."), (second, "The pier at Wick was painted blue.")):
        file.parent.mkdir()
        file.write_text(article(text[:20], text))
    with serving(archive) as url:
        client = Client(url, verbose=False)
        upload(client, first)
        upload(client, second)
    assert kept(archive) == ["notes-2.md", "notes.md"]
    assert not archive.ask("What got a new lens?").refused and not archive.ask("What was painted blue?").refused


def test_upload_limits_and_the_off_switch_are_told_in_one_line(archive, tmp_path):
    files = []
    for n in range(3):
        files.append(tmp_path / f"n{n}.md")
        files[-1].write_text(article(f"Note {n}", f"Note number {n} about the harbour. " * 40))
    with serving(archive, max_upload_files=2) as url:
        too_many = upload(Client(url, verbose=False), *files)
    with serving(archive, upload_quota_mb=0.002) as url:
        over_quota = upload(Client(url, verbose=False), *files[:2])
    with serving(archive, uploads="off") as url:
        off = upload(Client(url, verbose=False), files[0])
    assert "3 files in one upload; the limit is 2 (QA_MAX_UPLOAD_FILES)" in too_many
    assert "Added 1," in over_quota and "would pass its 0.002 MiB quota (QA_UPLOAD_QUOTA_MB)" in over_quota
    assert "uploads are turned off on this server (QA_UPLOADS=off)" in off
    assert kept(archive) == ["n0.md"]


def test_the_servers_temporary_copy_of_an_upload_is_removed(archive, tmp_path):
    received = tmp_path / "gradio-cache" / "ferry.md"
    received.parent.mkdir()
    received.write_text(article("Ferry", "The ferry sails at dawn."))
    report, _, _ = ChatHandlers(archive).add_files([str(received)])
    assert "Added 1" in report and not received.exists()
    assert json.loads(ChatHandlers(archive).ask("When does the ferry sail?"))["refused"] is False
