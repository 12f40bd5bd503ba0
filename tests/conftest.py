"""Fixtures: small article folders written on the fly, and archives ingested from them with the real embedder."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from qa import Archive

REPO = Path(__file__).resolve().parents[1]
DEMO_CORPUS = REPO / "corpus"
SEED_FILE = next(DEMO_CORPUS.glob("*.txt"))
SHARED = REPO.parent / "shared"
SEED_QUESTION = "Who traveled to Moscow for talks with Putin?"

HARBOUR_ARTICLE = """---
title: Harbour bridge reopens after two-year repair
date: 2024-03-14
source: Coastal Courier
url: https://courier.example/harbour-bridge
---
The Kelvin harbour bridge reopened to traffic on Thursday after a repair that took two years.
Engineers replaced 412 corroded cables and resurfaced the whole deck.
Mayor Ines Okafor said the final bill came to 86 million euros, below the budget.
"""

ORCHARD_RECORDS = [
    {
        "title": "Frost damages apple orchards in the north valley",
        "body": "A late frost on April 2 damaged about a third of the apple blossoms in the north valley. "
        "Grower Tomas Lind said he expects the smallest harvest in a decade.",
        "published_at": "2024-04-05 09:30:00.000000000Z",
        "source": "Valley Times",
        "url": "https://valley.example/frost",
        "author": "R. Berg",
        "category": "agriculture",
    },
    {
        "title": "Cider makers turn to imported fruit",
        "text": "After the frost, cider makers in the north valley signed contracts for imported apples. "
        "The cooperative chair Anja Moss called it a one-year measure.",
        "date": "2024-05-20",
        "source": "Valley Times",
    },
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_corpus(folder: Path) -> Path:
    """A small corpus in every supported format: the seed .txt, a .md with front matter, a .json list."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED_FILE, folder)
    (folder / "harbour.md").write_text(HARBOUR_ARTICLE)
    (folder / "orchards.json").write_text(json.dumps(ORCHARD_RECORDS))
    return folder


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "index")


def ingested(root: Path, write: Callable[[Path], Path]) -> Archive:
    """An archive in `root` over the articles `write` puts in a folder of it."""
    archive = Archive(root / "index")
    archive.ingest([write(root / "corpus")])
    return archive


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """One archive over the small corpus, shared by the read-only tests."""
    return ingested(tmp_path_factory.mktemp("seeded"), write_corpus)


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder named corpus holding the seed article only (the demo corpus beside it is larger)."""
    folder = tmp_path_factory.mktemp("seed") / "corpus"
    folder.mkdir()
    shutil.copy(SEED_FILE, folder)
    return folder
