"""One writer, many readers: answers keep coming while another process ingests, a second ingest
waits for the first (or says who holds the index), and opening an index mid-ingest never hangs."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qa import Archive, Settings
from qa.errors import IndexBusy

from bulk import place, write_bulk
from conftest import SEED_QUESTION, write_corpus

QA = str(Path(sys.executable).parent / "qa")
BULK = 150


def start_ingest(corpus: Path, index: Path) -> subprocess.Popen:
    """`qa ingest` in another process; returns once it holds the index's ingest lock."""
    ingest = subprocess.Popen([QA, "ingest", str(corpus), "--index", str(index), "--quiet"], stdout=subprocess.PIPE)
    lock = index / "ingest.lock"
    while not (lock.exists() and "(ingest)" in lock.read_text()):
        assert ingest.poll() is None, "the ingest ended before it was seen writing"
        time.sleep(0.05)
    return ingest


@pytest.fixture
def small_index(tmp_path: Path) -> Path:
    index = tmp_path / "index"
    Archive(index).ingest([write_corpus(tmp_path / "corpus")])
    return index


def test_answers_keep_coming_while_another_process_ingests_and_then_include_its_articles(small_index, tmp_path):
    reader = Archive(settings=Settings(index_dir=small_index, refresh_seconds=0))
    before = reader.ask(SEED_QUESTION).to_dict()
    ingest = start_ingest(write_bulk(tmp_path / "bulk", BULK), small_index)
    answers = []
    while ingest.poll() is None:
        answers.append(reader.ask(SEED_QUESTION).to_dict())
    assert ingest.returncode == 0
    assert answers and all(answer == before for answer in answers)
    town = place(BULK - 7)
    answer = reader.ask(f"What did the council of {town} approve?")
    assert answer.citations[0].title == f"{town} approves a footbridge"


def test_a_second_ingest_waits_for_the_first_and_then_finds_nothing_to_do(small_index, tmp_path):
    bulk = write_bulk(tmp_path / "bulk", BULK)
    first = start_ingest(bulk, small_index)
    report = Archive(small_index).ingest([bulk])
    assert first.wait() == 0
    assert (report.added, report.unchanged) == (0, BULK)


def test_a_second_ingest_that_cannot_wait_says_who_holds_the_index(small_index, tmp_path):
    bulk = write_bulk(tmp_path / "bulk", BULK)
    first = start_ingest(bulk, small_index)
    impatient = Archive(settings=Settings(index_dir=small_index, lock_timeout=0))
    with pytest.raises(IndexBusy, match=rf"locked by pid {first.pid} \(ingest\); try again when it has finished"):
        impatient.ingest([bulk])
    assert first.wait() == 0
    assert Archive(small_index).stats().articles == 4 + BULK


def test_opening_an_index_while_another_process_writes_it_does_not_hang(small_index, tmp_path):
    ingest = start_ingest(write_bulk(tmp_path / "bulk", BULK), small_index)
    answers: list[bool] = []
    opener = threading.Thread(target=lambda: answers.append(Archive(small_index).ask(SEED_QUESTION).refused))
    opener.start()
    opener.join(timeout=120)
    assert not opener.is_alive() and answers == [False]
    assert ingest.wait() == 0
